import type {
  AcceptInviteBody,
  CreateCustomerBody,
  CreateInviteBody,
  CreateTokenBody,
  UpdateCustomerBody,
  UpdateMemberBody,
} from '@flotilla/protocol';
import { hub } from './hub';
import { PAGE_LIMIT } from './installations';
import { auditQuery, type AuditFilter } from '../lib/audit';

const at = (id: string) => ({ params: { id } });

export const invitesApi = {
  list: async () => (await hub.request('GET /invites')).items,
  create: (body: CreateInviteBody) => hub.request('POST /invites', { body }),
  revoke: (inviteId: string) => hub.request('DELETE /invites/:id', at(inviteId)),
  /** Public: sets the new user's name and password (or proves an existing account) and signs in. */
  accept: (token: string, body: AcceptInviteBody) => hub.request('POST /invites/:token/accept', { params: { token }, body }),
};

export const membersApi = {
  list: async () => (await hub.request('GET /users')).items,
  /** `customerId` names the membership when the user belongs to the vendor and a customer. */
  update: (userId: string, body: UpdateMemberBody) => hub.request('PATCH /users/:id', { ...at(userId), body }),
  remove: (userId: string, customerId?: string) => hub.request('DELETE /users/:id', { ...at(userId), query: { customerId } }),
};

export const tokensApi = {
  list: async () => (await hub.request('GET /tokens')).items,
  create: (body: CreateTokenBody) => hub.request('POST /tokens', { body }),
  revoke: (tokenId: string) => hub.request('DELETE /tokens/:id', at(tokenId)),
};

export const sessionsApi = {
  list: async () => (await hub.request('GET /sessions')).items,
  revoke: (sessionId: string) => hub.request('DELETE /sessions/:id', at(sessionId)),
};

export const auditApi = {
  page: (filter: AuditFilter, before?: string) => hub.request('GET /audit', { query: auditQuery(filter, before) }),
};

export const customersApi = {
  /** Vendor users only (customer users get 404). */
  all: () => hub.all('GET /customers', { query: { limit: PAGE_LIMIT } }),
  /** Customer users may read their own (its self-service limits). */
  get: (customerId: string) => hub.request('GET /customers/:id', at(customerId)),
  create: (body: CreateCustomerBody) => hub.request('POST /customers', { body }),
  update: (customerId: string, body: UpdateCustomerBody) => hub.request('PATCH /customers/:id', { ...at(customerId), body }),
  /** 409 while it has installations; otherwise its entitlements, memberships, invites and tokens go with it. */
  remove: (customerId: string) => hub.request('DELETE /customers/:id', at(customerId)),
};
