import type { CommandPage, CreateCommandBody, InstallationCommand, InstallationCommandDetail, InstallationStatus } from '@flotilla/protocol';
import { query, request } from './client';

/** Commands to an installation's agent, and the installation's status (agent version, drift). */
export const commandsApi = {
  list: (installationId: string, cursor?: string) => request<CommandPage>('GET', `/installations/${installationId}/commands${query({ limit: 50, cursor })}`),
  get: (installationId: string, commandId: string) => request<InstallationCommandDetail>('GET', `/installations/${installationId}/commands/${commandId}`),
  send: (installationId: string, body: CreateCommandBody) => request<InstallationCommand>('POST', `/installations/${installationId}/commands`, body),
  status: (installationId: string) => request<InstallationStatus>('GET', `/installations/${installationId}/status`),
};
