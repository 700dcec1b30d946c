import type {
  AcceptInviteBody,
  ApiToken,
  CreateCustomerBody,
  CreateInviteBody,
  CreateTokenBody,
  CreatedInvite,
  CreatedToken,
  Customer,
  Invite,
  LoginResponse,
  Member,
  SessionInfo,
  UpdateCustomerBody,
  UpdateMemberBody,
} from '@flotilla/protocol';
import { query, request } from './client';
import { PAGE_LIMIT, fetchAllPages, type PageOf } from './installations';
import { auditQuery, type AuditFilter, type AuditPage } from '../lib/audit';

interface ItemsOf<T> {
  items: T[];
}

const items = async <T>(p: Promise<ItemsOf<T>>): Promise<T[]> => (await p).items;
const id = (value: string) => encodeURIComponent(value);

export const invitesApi = {
  list: () => items(request<ItemsOf<Invite>>('GET', '/invites')),
  create: (body: CreateInviteBody) => request<CreatedInvite>('POST', '/invites', body),
  revoke: (inviteId: string) => request<undefined>('DELETE', `/invites/${id(inviteId)}`),
  /** Public: sets the new user's name and password (or proves an existing account) and signs in. */
  accept: (token: string, body: AcceptInviteBody) => request<LoginResponse>('POST', `/invites/${id(token)}/accept`, body),
};

export const membersApi = {
  list: () => items(request<ItemsOf<Member>>('GET', '/users')),
  /** `customerId` names the membership when the user belongs to the vendor and a customer. */
  update: (userId: string, body: UpdateMemberBody) => request<Member>('PATCH', `/users/${id(userId)}`, body),
  remove: (userId: string, customerId?: string) => request<undefined>('DELETE', `/users/${id(userId)}${query({ customerId })}`),
};

export const tokensApi = {
  list: () => items(request<ItemsOf<ApiToken>>('GET', '/tokens')),
  create: (body: CreateTokenBody) => request<CreatedToken>('POST', '/tokens', body),
  revoke: (tokenId: string) => request<undefined>('DELETE', `/tokens/${id(tokenId)}`),
};

export const sessionsApi = {
  list: () => items(request<ItemsOf<SessionInfo>>('GET', '/sessions')),
  revoke: (sessionId: string) => request<undefined>('DELETE', `/sessions/${id(sessionId)}`),
};

export const auditApi = {
  page: (filter: AuditFilter, before?: string) => request<AuditPage>('GET', `/audit${auditQuery(filter, before)}`),
};

export const customersApi = {
  /** Vendor users only (customer users get 404). */
  all: () => fetchAllPages<Customer>((cursor) => request<PageOf<Customer>>('GET', `/customers${query({ limit: PAGE_LIMIT, cursor })}`)),
  /** Customer users may read their own (its self-service limits). */
  get: (customerId: string) => request<Customer>('GET', `/customers/${encodeURIComponent(customerId)}`),
  create: (body: CreateCustomerBody) => request<Customer>('POST', '/customers', body),
  update: (customerId: string, body: UpdateCustomerBody) => request<Customer>('PATCH', `/customers/${encodeURIComponent(customerId)}`, body),
  /** 409 while it has installations; otherwise its entitlements, memberships, invites and tokens go with it. */
  remove: (customerId: string) => request<undefined>('DELETE', `/customers/${encodeURIComponent(customerId)}`),
};
