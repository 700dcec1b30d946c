import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, BundleCollect, BundleManifest, SupportBundle, SupportBundleDetail, SupportBundleList, SupportBundlePolicy } from '@flotilla/protocol';
import { COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { auditRows, join, live, Session, type Err, type LiveSocket } from './identity-helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * Support bundles at the hub with simulated agents: who may ask, see, download, approve and set the
 * approval rule; the approval flow; chunks stored in order and checked against the agent's digest;
 * the size limit, an agent that refuses, is offline, disconnects or goes silent; retention.
 */

const MAX_BYTES = 400_000;
const TIMEOUT_MS = 60_000;
const RETENTION_MS = 3 * 24 * 3600_000;
const CHUNK = 150_000;

let tdb: TestDatabase;
let hub: TestHub;
const journal: { call: string; action: string | undefined; vendorId: string; email: string; targetId: string | null; ip: string }[] = [];
let admin: Session;
let releaseManager: Session;
let vendorViewer: Session;
let customerAdmin: Session;
let customerViewer: Session;
let otherCustomerAdmin: Session;
let customerId: string;
let installationId: string;
let creds: AgentCredentials;
const sockets: (AgentSocket | LiveSocket)[] = [];

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, supportBundles: { maxBytes: MAX_BYTES, timeoutMs: TIMEOUT_MS, retentionMs: RETENTION_MS, redactPatterns: ['pass', 'secret'] } });
  admin = new Session(hub.url, journal);
  await admin.signup(randomSuffix());
  customerId = (await admin.post<{ id: string }>('/customers', { name: 'Globex' })).body.id;
  const otherCustomer = (await admin.post<{ id: string }>('/customers', { name: 'Initech' })).body.id;
  const app = (await admin.post<{ id: string }>('/applications', { name: 'web', kind: 'compose' })).body.id;
  const versionId = (await admin.post<{ id: string }>(`/applications/${app}/versions`, { version: '1.0.0', compose: { file: COMPOSE_V1 } })).body.id;
  installationId = (await admin.post<{ id: string }>('/installations', { customerId, name: 'Globex Prod', environment: 'production', agentKind: 'compose' })).body.id;
  expect((await admin.post(`/installations/${installationId}/deploy`, { versionId })).status).toBe(202);
  creds = (await admin.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  releaseManager = await join(admin, 'release-manager');
  vendorViewer = await join(admin, 'viewer');
  customerAdmin = await join(admin, 'admin', customerId);
  customerViewer = await join(admin, 'viewer', customerId);
  otherCustomerAdmin = await join(admin, 'admin', otherCustomer);
}, 60_000);

afterAll(async () => {
  for (const s of sockets) s.disconnect();
  await hub?.close();
  await tdb?.drop();
});

type AgentBehaviour = (request: BundleCollect, socket: AgentSocket) => { accepted: boolean; reason?: string };

/** A simulated agent that answers `bundle:collect` with `behave` (and then does what it says). */
async function agent(behave: AgentBehaviour): Promise<{ socket: AgentSocket; requests: BundleCollect[] }> {
  const socket = await connectAgent(hub.url, creds.agentId, creds.secret);
  sockets.push(socket);
  await socket.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [] });
  const requests: BundleCollect[] = [];
  socket.on('bundle:collect', (request, ack) => {
    requests.push(request);
    ack(behave(request, socket));
  });
  return { socket, requests };
}

const manifest = (bundleId: string): BundleManifest => ({
  bundleId,
  installationId,
  createdAt: new Date().toISOString(),
  agentKind: 'compose',
  agentVersion: '0.1.0-test',
  logLines: 500,
  redactPatterns: ['pass'],
  secretValues: 1,
  files: [{ path: 'logs/web.log', bytes: 10, description: 'logs', redactions: 2 }],
  problems: [],
});

/** Sends `archive` in chunks and ends the bundle; answers the acks. */
async function stream(socket: AgentSocket, bundleId: string, archive: Buffer, opts: { digest?: string } = {}): Promise<unknown[]> {
  const acks: unknown[] = [];
  let seq = 0;
  for (let at = 0; at < archive.length; at += CHUNK) {
    const ack = await socket.emitWithAck('bundle:chunk', { bundleId, seq: seq++, data: archive.subarray(at, at + CHUNK).toString('base64') });
    acks.push(ack);
    if ('error' in ack) return acks;
  }
  const sha256 = opts.digest ?? createHash('sha256').update(archive).digest('hex');
  acks.push(await socket.emitWithAck('bundle:end', { bundleId, sha256, bytes: archive.length, chunks: seq, manifest: manifest(bundleId) }));
  return acks;
}

const bundle = async (id: string, as: Session = admin) => (await as.get<SupportBundleDetail>(`/support-bundles/${id}`)).body;
const waitStatus = (id: string, status: string) => waitFor(async () => ((await bundle(id)).status === status ? bundle(id) : undefined), 15_000, `bundle ${id} ${status}`);

async function download(id: string, as: Session): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(`${hub.url}/api/v1/support-bundles/${id}/download`, { headers: { cookie: as.sessionCookie ?? '' } });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('support bundles', { timeout: 60_000 }, () => {
  it('a vendor release manager asks; the agent streams the archive; vendor and customer see the manifest and download the same bytes', async () => {
    const archive = randomBytes(CHUNK * 2 + 1234);
    const liveVendor = await live(hub.url, { cookie: admin.sessionCookie ?? '' });
    const liveCustomer = await live(hub.url, { cookie: customerAdmin.sessionCookie ?? '' });
    const liveOther = await live(hub.url, { cookie: otherCustomerAdmin.sessionCookie ?? '' });
    sockets.push(liveVendor, liveCustomer, liveOther);
    const seen: Record<string, SupportBundle[]> = { vendor: [], customer: [], other: [] };
    liveVendor.on('support-bundle:changed', (b) => seen.vendor?.push(b));
    liveCustomer.on('support-bundle:changed', (b) => seen.customer?.push(b));
    liveOther.on('support-bundle:changed', (b) => seen.other?.push(b));

    let streamed: Promise<unknown[]> | undefined;
    const { socket, requests } = await agent((request, s) => {
      streamed = stream(s, request.bundleId, archive);
      return { accepted: true };
    });
    const asked = await releaseManager.post<SupportBundle>(`/installations/${installationId}/support-bundles`, { logLines: 120 });
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ installationId, customerId, status: 'collecting', logLines: 120, bytes: 0, requestedBy: { email: releaseManager.email, customer: false }, decidedBy: null });
    await waitFor(() => streamed, 10_000, 'the agent streaming');
    expect(requests[0]).toEqual({ bundleId: asked.body.id, logLines: 120, redactPatterns: ['pass', 'secret'], maxBytes: MAX_BYTES });
    expect((await streamed)?.every((a) => JSON.stringify(a) === '{"ok":true}')).toBe(true);

    const ready = await waitStatus(asked.body.id, 'ready');
    expect(ready).toMatchObject({ bytes: archive.length, sha256: createHash('sha256').update(archive).digest('hex'), manifest: { bundleId: asked.body.id, files: [{ path: 'logs/web.log', redactions: 2 }] } });
    expect(Date.parse(ready.expiresAt) - Date.parse(ready.createdAt)).toBe(RETENTION_MS);
    expect((await customerViewer.get<SupportBundleDetail>(`/support-bundles/${asked.body.id}`)).body.manifest?.files).toHaveLength(1);
    const listed = await vendorViewer.get<SupportBundleList>(`/installations/${installationId}/support-bundles`);
    expect(listed.body.items.map((b) => b.id)).toContain(asked.body.id);

    for (const who of [admin, customerAdmin]) {
      const got = await download(asked.body.id, who);
      expect(got.status).toBe(200);
      expect(got.headers.get('content-type')).toBe('application/gzip');
      expect(got.headers.get('content-disposition')).toMatch(/^attachment; filename="support-bundle-globex-prod-\d{4}-\d{2}-\d{2}T[\d-]+Z\.tar\.gz"$/);
      expect(got.body.equals(archive)).toBe(true);
    }
    // Viewers see that a bundle exists and what it holds, not the bundle itself.
    expect((await download(asked.body.id, vendorViewer)).status).toBe(403);
    expect((await download(asked.body.id, customerViewer)).status).toBe(403);
    expect((await download(asked.body.id, otherCustomerAdmin)).status).toBe(404);
    expect((await otherCustomerAdmin.get(`/support-bundles/${asked.body.id}`)).status).toBe(404);

    await waitFor(() => (seen.vendor?.some((b) => b.status === 'ready') && seen.customer?.some((b) => b.status === 'ready') ? true : undefined), 5000, 'live updates');
    expect(seen.vendor?.map((b) => b.status)).toEqual(['collecting', 'ready']);
    expect(seen.other).toEqual([]);

    const audit = await auditRows(admin, 'action=support-bundle');
    expect(audit.filter((r) => r.target.id === asked.body.id).map((r) => r.action).sort()).toEqual(['support-bundle.download', 'support-bundle.download', 'support-bundle.request']);
    expect(audit.find((r) => r.action === 'support-bundle.request' && r.target.id === asked.body.id)).toMatchObject({ actor: { email: releaseManager.email }, target: { type: 'support-bundle', name: 'support bundle of Globex Prod' }, details: { installationId, status: 'collecting', logLines: 120 } });
    socket.disconnect();
  });

  it('who may ask: vendor release managers and customer admins, not viewers', async () => {
    const { socket } = await agent(() => ({ accepted: false, reason: 'busy' }));
    expect((await vendorViewer.post<Err>(`/installations/${installationId}/support-bundles`, {})).status).toBe(403);
    expect((await customerViewer.post<Err>(`/installations/${installationId}/support-bundles`, {})).status).toBe(403);
    expect((await otherCustomerAdmin.post<Err>(`/installations/${installationId}/support-bundles`, {})).status).toBe(404);
    expect((await customerAdmin.post<Err>(`/installations/${installationId}/support-bundles`, { logLines: 0 })).status).toBe(400);
    const own = await customerAdmin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    expect(own.body).toMatchObject({ status: 'collecting', logLines: 500, requestedBy: { customer: true, email: customerAdmin.email } });
    // The agent refused: the bundle fails with its reason.
    expect((await waitStatus(own.body.id, 'failed')).message).toBe('The agent refused: busy');
    socket.disconnect();
  });

  it("a customer that requires approval: the vendor's bundle waits; only the customer's admins approve or reject it", async () => {
    expect((await admin.call<Err>('PUT', `/customers/${customerId}/support-bundle-policy`, { requireApproval: true })).status).toBe(403);
    expect((await customerViewer.call<Err>('PUT', `/customers/${customerId}/support-bundle-policy`, { requireApproval: true })).status).toBe(403);
    expect((await otherCustomerAdmin.call<Err>('PUT', `/customers/${customerId}/support-bundle-policy`, { requireApproval: true })).status).toBe(404);
    const set = await customerAdmin.call<SupportBundlePolicy>('PUT', `/customers/${customerId}/support-bundle-policy`, { requireApproval: true });
    expect(set.body).toEqual({ customerId, requireApproval: true });
    expect((await vendorViewer.get<SupportBundlePolicy>(`/customers/${customerId}/support-bundle-policy`)).body.requireApproval).toBe(true);

    let streamed: Promise<unknown[]> | undefined;
    const { socket, requests } = await agent((request, s) => {
      streamed = stream(s, request.bundleId, Buffer.from('a tiny archive'));
      return { accepted: true };
    });
    const waiting = await admin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    expect(waiting.body).toMatchObject({ status: 'awaiting-approval', message: "Waiting for the customer's approval" });
    const refused = await admin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    await new Promise((r) => setTimeout(r, 300));
    expect(requests).toEqual([]); // nothing is collected before approval
    expect((await download(waiting.body.id, admin)).status).toBe(409);

    expect((await admin.post<Err>(`/support-bundles/${waiting.body.id}/approve`)).status).toBe(403);
    expect((await releaseManager.post<Err>(`/support-bundles/${waiting.body.id}/approve`)).status).toBe(403);
    expect((await customerViewer.post<Err>(`/support-bundles/${waiting.body.id}/approve`)).status).toBe(403);
    expect((await otherCustomerAdmin.post<Err>(`/support-bundles/${waiting.body.id}/approve`)).status).toBe(404);

    const rejected = await customerAdmin.post<SupportBundle>(`/support-bundles/${refused.body.id}/reject`, { reason: 'not during the audit' });
    expect(rejected.body).toMatchObject({ status: 'rejected', message: 'Rejected: not during the audit', decidedBy: { email: customerAdmin.email } });
    const approved = await customerAdmin.post<SupportBundle>(`/support-bundles/${waiting.body.id}/approve`);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'collecting', decidedBy: { email: customerAdmin.email } });
    expect((await customerAdmin.post<Err>(`/support-bundles/${waiting.body.id}/approve`)).status).toBe(409);
    expect((await customerAdmin.post<Err>(`/support-bundles/${refused.body.id}/approve`)).status).toBe(409);
    await waitFor(() => streamed, 10_000, 'the agent streaming after approval');
    await waitStatus(waiting.body.id, 'ready');
    expect(requests.map((r) => r.bundleId)).toEqual([waiting.body.id]);

    // The customer's own admins need no approval.
    const own = await customerAdmin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    expect(own.body.status).toBe('collecting');
    await waitStatus(own.body.id, 'ready');
    const audit = await auditRows(admin, 'action=support-bundle');
    expect(audit.find((r) => r.action === 'support-bundle.approve')).toMatchObject({ actor: { email: customerAdmin.email }, target: { type: 'support-bundle', id: waiting.body.id } });
    expect(audit.find((r) => r.action === 'support-bundle.reject')).toMatchObject({ actor: { email: customerAdmin.email }, target: { type: 'support-bundle', id: refused.body.id } });
    expect((await auditRows(admin, 'action=support-bundle-policy.update'))[0]).toMatchObject({ target: { type: 'customer', id: customerId, name: 'Globex' } });
    expect((await customerAdmin.call<SupportBundlePolicy>('PUT', `/customers/${customerId}/support-bundle-policy`, { requireApproval: false })).body.requireApproval).toBe(false);
    socket.disconnect();
  });

  it('a bundle past SUPPORT_BUNDLE_MAX_BYTES fails with a clear message and its partial archive is dropped', async () => {
    let streamed: Promise<unknown[]> | undefined;
    const { socket } = await agent((request, s) => {
      streamed = stream(s, request.bundleId, randomBytes(CHUNK * 3));
      return { accepted: true };
    });
    const asked = await admin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    const acks = await waitFor(() => streamed, 10_000, 'streaming');
    expect(acks.at(-1)).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
    const failed = await waitStatus(asked.body.id, 'failed');
    expect(failed.message).toBe(`The bundle exceeds the hub's size limit of ${MAX_BYTES} bytes (SUPPORT_BUNDLE_MAX_BYTES); ask for fewer log lines`);
    const chunks = await hub.infra.db('support_bundle_chunks').where({ bundle_id: asked.body.id }).count<{ count: string }[]>('* as count');
    expect(Number(chunks[0]?.count)).toBe(0);
    // Later chunks of a failed bundle are refused, so the agent stops.
    expect(await socket.emitWithAck('bundle:chunk', { bundleId: asked.body.id, seq: 2, data: 'AAAA' })).toMatchObject({ error: { code: 'NOT_FOUND' } });
    socket.disconnect();
  });

  it('an archive that does not match the digest the agent computed fails', async () => {
    let streamed: Promise<unknown[]> | undefined;
    const { socket } = await agent((request, s) => {
      streamed = stream(s, request.bundleId, Buffer.from('archive bytes'), { digest: 'f'.repeat(64) });
      return { accepted: true };
    });
    const asked = await admin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    expect((await waitFor(() => streamed, 10_000, 'streaming')).at(-1)).toMatchObject({ error: { code: 'CONFLICT' } });
    expect((await waitStatus(asked.body.id, 'failed')).message).toMatch(/^The archive arrived incomplete or damaged .*digest differs/);
    socket.disconnect();
  });

  it('an agent that disconnects mid-bundle, one that is offline, and one that goes silent: the bundle fails saying why', async () => {
    const { socket } = await agent((request, s) => {
      void s.emitWithAck('bundle:chunk', { bundleId: request.bundleId, seq: 0, data: Buffer.from('partial').toString('base64') }).then(() => s.disconnect());
      return { accepted: true };
    });
    const cut = await admin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    expect((await waitStatus(cut.body.id, 'failed')).message).toBe('The agent disconnected while collecting the bundle; ask again once it is back');
    expect(socket.connected).toBe(false);

    const offline = await admin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    expect((await waitStatus(offline.body.id, 'failed')).message).toBe('The agent is offline or did not answer; ask again once it is connected');

    const silent = await agent(() => ({ accepted: true }));
    const quiet = await admin.post<SupportBundle>(`/installations/${installationId}/support-bundles`, {});
    await waitFor(() => (silent.requests.length > 0 ? true : undefined), 10_000, 'the request reaching the agent');
    expect(await hub.app.services.supportBundles.housekeeping(new Date(Date.now() + TIMEOUT_MS / 2))).toEqual({ timedOut: 0, deleted: 0 });
    expect((await hub.app.services.supportBundles.housekeeping(new Date(Date.now() + TIMEOUT_MS + 1000))).timedOut).toBe(1);
    expect((await bundle(quiet.body.id)).message).toBe('The agent sent nothing for 1 minutes (SUPPORT_BUNDLE_TIMEOUT_MINUTES)');
    silent.socket.disconnect();
  });

  it('a storm of disconnects is checked in a statement or two, not one per agent (a restart drops them all)', async () => {
    let reads = 0;
    const dropped: string[] = Array.from({ length: 300 }, () => randomUUID());
    // Only statements about these installations: the minute's housekeeping may read the table meanwhile.
    const count = (q: { sql: string; bindings?: readonly unknown[] }) => {
      if (/from "support_bundles"/.test(q.sql) && q.bindings?.some((b) => dropped.includes(b as string))) reads++;
    };
    hub.infra.db.on('query', count);
    try {
      await Promise.all(dropped.map((id) => hub.app.services.supportBundles.agentDisconnected(id)));
    } finally {
      hub.infra.db.off('query', count);
    }
    expect(reads).toBeGreaterThanOrEqual(1);
    expect(reads).toBeLessThanOrEqual(2);
  });

  it('bundles are deleted with their archives after SUPPORT_BUNDLE_RETENTION_DAYS', async () => {
    const before = (await admin.get<SupportBundleList>(`/installations/${installationId}/support-bundles`)).body.items;
    expect(before.length).toBeGreaterThan(3);
    const { deleted } = await hub.app.services.supportBundles.housekeeping(new Date(Date.now() + RETENTION_MS + 1000));
    expect(deleted).toBe(before.length);
    expect((await admin.get<SupportBundleList>(`/installations/${installationId}/support-bundles`)).body.items).toEqual([]);
    expect((await admin.get<Err>(`/support-bundles/${before[0]?.id}`)).status).toBe(404);
    const chunks = await hub.infra.db('support_bundle_chunks').count<{ count: string }[]>('* as count');
    expect(Number(chunks[0]?.count)).toBe(0);
  });
});
