import type { CreateCommandBody } from '@flotilla/protocol';
import { hub } from './hub';

/** Commands to an installation's agent, and the installation's status (agent version, drift). */
export const commandsApi = {
  list: (installationId: string, cursor?: string) => hub.request('GET /installations/:id/commands', { params: { id: installationId }, query: { limit: 50, cursor } }),
  get: (installationId: string, commandId: string) => hub.request('GET /installations/:id/commands/:commandId', { params: { id: installationId, commandId } }),
  send: (installationId: string, body: CreateCommandBody) => hub.request('POST /installations/:id/commands', { params: { id: installationId }, body }),
  status: (installationId: string) => hub.request('GET /installations/:id/status', { params: { id: installationId } }),
};
