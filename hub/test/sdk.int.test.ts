import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaClient, FlotillaError, LiveClient, followRollout, type LiveGap } from '@flotilla/sdk';
import type { RolloutTimelineEvent } from '@flotilla/protocol';
import { COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { validatorFor } from './openapi-validator.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

/** The SDK's REST client against a real hub: session and token auth, typed errors, pagination. */
let tdb: TestDatabase | undefined;
let hub: TestHub | undefined;
const password = 'correct horse battery staple';
let admin: FlotillaClient;
let email: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  email = `sdk-${randomSuffix()}@example.com`;
  admin = new FlotillaClient({ url: hub.url });
  await admin.request('POST /auth/signup', { body: { email, password, name: 'Ada', vendorName: `SDK ${randomSuffix()}` } });
});

const agents: SimAgent[] = [];

afterAll(async () => {
  for (const a of agents) a.socket.disconnect();
  await hub?.close();
  await tdb?.drop();
});

describe('FlotillaClient', () => {
  it('keeps the session from sign-up and login, and answers typed bodies that match the document', async () => {
    const me = await admin.request('GET /me');
    expect(me.user.email).toBe(email);
    const other = new FlotillaClient({ url: (hub as TestHub).url });
    const login = await other.login(email, password);
    expect(login.memberships[0]?.role).toBe('admin');
    const app = await other.request('POST /applications', { body: { name: 'shop', kind: 'compose' } });
    const version = await other.request('POST /applications/:id/versions', { params: { id: app.id }, body: { version: '1.0.0', compose: { file: COMPOSE_V1 } } });
    expect(version.applicationId).toBe(app.id);
    const v = await validatorFor((hub as TestHub).url);
    expect(v.check('POST', `/applications/${app.id}/versions`, 201, version, 'application/json')).toEqual([]);
    await other.request('POST /auth/logout');
    await expect(other.request('GET /me')).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('authenticates with an API token and says which scope a refused call needs', async () => {
    const created = await admin.request('POST /tokens', { body: { name: 'ci', role: 'viewer' } });
    const viewer = new FlotillaClient({ url: (hub as TestHub).url, token: created.token });
    expect((await viewer.request('GET /me')).user.email).toBe(email);
    const refused = await viewer.request('POST /customers', { body: { name: 'Nope' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FlotillaError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', status: 403, route: 'POST /customers', requiredRole: { vendorRole: 'admin' } });
    const bad = new FlotillaClient({ url: (hub as TestHub).url, token: 'flt_not-a-token' });
    await expect(bad.request('GET /me')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('throws the catalogue code with the validation issues, and a missing resource as NOT_FOUND', async () => {
    const err = (await admin.request('POST /customers', { body: { name: '' } }).catch((e: unknown) => e)) as FlotillaError;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details?.issues).toEqual([expect.objectContaining({ path: 'name' })]);
    await expect(admin.request('GET /customers/:id', { params: { id: '00000000-0000-4000-8000-000000000000' } })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('iterates every page of a list, asking page after page', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `Customer ${i}`);
    for (const name of names) await admin.request('POST /customers', { body: { name } });
    const pages: string[] = [];
    const counting = new FlotillaClient({
      url: (hub as TestHub).url,
      token: (await admin.request('POST /tokens', { body: { name: 'pager' } })).token,
      fetch: (input, init) => {
        pages.push(String(input));
        return fetch(input, init);
      },
    });
    const seen: string[] = [];
    for await (const c of counting.paginate('GET /customers', { query: { limit: 3 } })) seen.push(c.name);
    expect(new Set(seen)).toEqual(new Set(names));
    expect(pages).toHaveLength(3);
    expect(pages[1]).toContain('cursor=');
  });

  it('reports an unreachable hub as UNAVAILABLE with status 0', async () => {
    const gone = new FlotillaClient({ url: 'http://127.0.0.1:9' });
    await expect(gone.request('GET /me')).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 0 });
  });
});

describe('LiveClient and followRollout', () => {
  it('lose no progress event when the live connection drops mid-rollout: the gap is caught up from the timeline', { timeout: 120_000 }, async () => {
    const h = hub as TestHub;
    const app = await admin.request('POST /applications', { body: { name: 'live-svc', kind: 'compose' } });
    const version = await admin.request('POST /applications/:id/versions', { params: { id: app.id }, body: { version: '1.0.0', compose: { file: COMPOSE_V1 } } });
    const track = await admin.request('POST /tracks', { body: { name: 'Live', applicationIds: [app.id] } });
    const release = await admin.request('POST /tracks/:id/releases', { params: { id: track.id }, body: { version: '1.0.0', stages: [[{ applicationId: app.id, versionId: version.id }]] } });
    await admin.request('POST /releases/:id/lock', { params: { id: release.id } });
    const customer = await admin.request('POST /customers', { body: { name: 'Live Co' } });
    await admin.request('POST /entitlements', { body: { customerId: customer.id, trackId: track.id } });
    const installationIds: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) {
      const inst = await admin.request('POST /installations', { body: { customerId: customer.id, name, environment: 'prod', agentKind: 'compose', trackId: track.id } });
      const creds = await admin.request('POST /installations/:id/agent-credentials', { params: { id: inst.id } });
      // Each stage takes its agent 600 ms: one at a time, the rollout lasts a few seconds.
      agents.push(await simAgent(h.url, inst.id, creds.agentId, creds.secret, 600));
      installationIds.push(inst.id);
    }

    const client = new FlotillaClient({ url: h.url, token: (await admin.request('POST /tokens', { body: { name: 'follower', role: 'viewer' } })).token });
    const live = new LiveClient(client);
    const gaps: LiveGap[] = [];
    live.onGap((g) => gaps.push(g));
    await live.connected();
    const rollout = await admin.request('POST /rollouts', { body: { releaseId: release.id, targets: { installationIds }, strategy: { maxParallel: 1, respectMaintenanceWindows: false } } });

    const seen: RolloutTimelineEvent[] = [];
    let dropped = false;
    const final = await followRollout(client, live, rollout.id, {
      onEvent: (e) => {
        seen.push(e);
        // The hub drops every /live socket once the first installation got its stage: the rest happens while the client is away.
        if (!dropped && e.type === 'stage-sent') {
          dropped = true;
          h.app.io.of('/live').disconnectSockets(true);
        }
      },
    });
    live.close();

    expect(final.status).toBe('completed');
    expect(gaps).toHaveLength(1);
    const timeline = await client.request('GET /rollouts/:id/timeline', { params: { id: rollout.id } });
    // Every event, once, in order, and some of them were written while the client was disconnected.
    expect(seen.map((e) => e.id)).toEqual(timeline.items.map((e) => e.id));
    expect(seen.filter((e) => e.type === 'succeeded')).toHaveLength(4);
    const gap = gaps[0] as LiveGap;
    expect(seen.filter((e) => Date.parse(e.at) > gap.disconnectedAt.getTime() && Date.parse(e.at) < gap.reconnectedAt.getTime()).length).toBeGreaterThan(0);
  });
});
