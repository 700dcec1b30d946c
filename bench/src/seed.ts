import { Api, pool } from './api.js';

export interface AgentIdentity {
  installationId: string;
  agentId: string;
  secret: string;
}

export interface Fleet {
  api: Api;
  applicationId: string;
  trackId: string;
  agents: AgentIdentity[];
  /** Creates, locks and returns a new release (one compose component) to roll out. */
  newRelease(): Promise<string>;
}

const CUSTOMERS = 20;
const compose = (version: string) => `services:\n  web:\n    image: busybox:latest\n    command: ["httpd", "-f", "-p", "8080"]\n    network_mode: host\n    labels:\n      version: "${version}"\n`;

/**
 * Seeds a vendor through the real REST API: one compose application on one track, 20 customers
 * entitled to it, `count` installations spread over them, and agent credentials for each.
 */
export async function seedFleet(hubUrl: string, count: number, onProgress: (done: number) => void): Promise<Fleet> {
  const api = new Api(hubUrl);
  const suffix = Math.random().toString(36).slice(2, 8);
  await api.post('/auth/signup', { email: `bench-${suffix}@example.com`, password: 'bench-password-123', name: 'Bench', vendorName: `Bench ${suffix}` });
  const app = await api.post<{ id: string }>('/applications', { name: 'Shop', kind: 'compose' });
  const track = await api.post<{ id: string }>('/tracks', { name: 'Stable', applicationIds: [app.id] });
  const customers = await pool(Array.from({ length: Math.min(CUSTOMERS, count) }, (_, i) => i), 8, async (i) => {
    const c = await api.post<{ id: string }>('/customers', { name: `Customer ${i}` });
    await api.post('/entitlements', { customerId: c.id, trackId: track.id });
    return c.id;
  });
  let done = 0;
  const agents = await pool(Array.from({ length: count }, (_, i) => i), 16, async (i) => {
    const inst = await api.post<{ id: string }>('/installations', { customerId: customers[i % customers.length], name: `site-${i}`, environment: 'production', agentKind: 'compose', trackId: track.id });
    const creds = await api.post<{ agentId: string; secret: string }>(`/installations/${inst.id}/agent-credentials`);
    done += 1;
    if (done % 500 === 0) onProgress(done);
    return { installationId: inst.id, agentId: creds.agentId, secret: creds.secret };
  });
  let releases = 0;
  return {
    api,
    applicationId: app.id,
    trackId: track.id,
    agents,
    async newRelease() {
      releases += 1;
      const version = `1.${releases}.0`;
      const v = await api.post<{ id: string }>(`/applications/${app.id}/versions`, { version, compose: { file: compose(version) } });
      const r = await api.post<{ id: string }>(`/tracks/${track.id}/releases`, { version, stages: [[{ applicationId: app.id, versionId: v.id }]] });
      await api.post(`/releases/${r.id}/lock`);
      return r.id;
    },
  };
}
