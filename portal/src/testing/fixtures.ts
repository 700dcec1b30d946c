import { vi } from 'vitest';
import type { AgentPresence, Installation, InstallationStatus } from '@flotilla/protocol';

export const T0 = '2025-01-01T10:00:00.000Z';
export const T1 = '2025-01-01T10:01:00.000Z';
export const T2 = '2025-01-01T10:02:00.000Z';

export function status(installationId: string, patch: Partial<InstallationStatus> = {}): InstallationStatus {
  return {
    installationId,
    online: false,
    desiredRevision: 0,
    appliedRevision: 0,
    health: 'unknown',
    components: [],
    desiredVersion: null,
    runningVersion: null,
    versionDrift: [],
    host: null,
    lastSeenAt: null,
    updatedAt: T0,
    agentVersion: null,
    agentUpdate: null,
    ...patch,
  };
}

export function installation(id: string, patch: Partial<Omit<Installation, 'status'>> & { status?: Partial<InstallationStatus> } = {}): Installation {
  const { status: statusPatch, ...rest } = patch;
  return {
    id,
    vendorId: 'v1',
    customerId: 'c1',
    customerName: 'Acme',
    name: `inst-${id}`,
    environment: 'production',
    agentKind: 'compose',
    trackId: null,
    agentId: null,
    maintenanceWindows: [],
    clusterScoped: false,
    helmValues: {},
    lifecycle: 'active',
    createdAt: T0,
    updatedAt: T0,
    uptime24h: null,
    ...rest,
    status: status(id, statusPatch),
  };
}

export function presence(installationId: string, online: boolean, at: string): AgentPresence {
  return { installationId, agentId: `agent-${installationId}`, online, at };
}

export interface RecordedCall {
  method: string;
  url: string;
  body: unknown;
  credentials: RequestCredentials | undefined;
}

export type FetchHandler = (call: RecordedCall) => Response | Promise<Response>;

export function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** Replaces the global fetch (the hub is not running in unit tests) and records every call. */
export function stubFetch(handler: FetchHandler): RecordedCall[] {
  const calls: RecordedCall[] = [];
  vi.stubGlobal('fetch', async (url: string, init: RequestInit = {}) => {
    const call: RecordedCall = {
      method: init.method ?? 'GET',
      url,
      body: typeof init.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      credentials: init.credentials,
    };
    calls.push(call);
    return handler(call);
  });
  return calls;
}

/** Resolves once queued promise callbacks (e.g. a store's background refetch) have run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setTimeout(resolve, 0));
}
