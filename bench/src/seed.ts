import { Api, pool } from './api.js';

export interface AgentIdentity {
  installationId: string;
  agentId: string;
  secret: string;
}

export interface Fleet {
  api: Api;
  /** The vendor admin who signed up (the API above is signed in as them). */
  adminEmail: string;
  applicationId: string;
  trackId: string;
  agents: AgentIdentity[];
  /** Creates, locks and returns a new release (one compose component) to roll out. */
  newRelease(): Promise<string>;
}

const CUSTOMERS = 20;
const compose = (version: string) => `services:\n  web:\n    image: busybox:latest\n    command: ["httpd", "-f", "-p", "8080"]\n    network_mode: host\n    labels:\n      version: "${version}"\n`;

export const BENCH_PASSWORD = 'bench-password-123';

/**
 * Seeds a vendor through the real REST API: one compose application on one track, 20 customers
 * entitled to it, `count` installations spread over them, and agent credentials for each. A hub
 * with SMTP confirms sign-ups by mail: `confirmationToken` then finds the token mailed to the address.
 */
export async function seedFleet(hubUrl: string, count: number, onProgress: (done: number) => void, confirmationToken?: (email: string) => Promise<string>): Promise<Fleet> {
  const api = new Api(hubUrl);
  const suffix = Math.random().toString(36).slice(2, 8);
  const adminEmail = `bench-${suffix}@example.com`;
  const signup = await api.post<{ confirmBy?: string }>('/auth/signup', { email: adminEmail, password: BENCH_PASSWORD, name: 'Bench', vendorName: `Bench ${suffix}` });
  if (signup.confirmBy === 'email') {
    if (!confirmationToken) throw new Error('the hub confirms sign-ups by mail and the bench has no SMTP sink');
    await api.post('/auth/signup/confirm', { token: await confirmationToken(adminEmail) });
  }
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
    adminEmail,
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
