import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentCredentials, DeployResponse, InstallationStatus, InstallationUpdates, Release, Rollout, RolloutPreview, RolloutTimeline } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, waitFor, type TestDatabase, type TestHub } from './helpers.js';
import { simAgent, type SimAgent } from './sim-fleet.js';

/**
 * Required releases over REST, with simulated agents: marking one, deploys that would skip one or
 * go back below one (409s), the rollout preview's steps, a rollout stepping through it, and a
 * rollback (failurePolicy rollback) that stops at it.
 */
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
const ids: Record<string, string> = {};
const agents: SimAgent[] = [];
type Err = { error: { code: string; message: string; details?: Record<string, unknown> } };
type Stepped = DeployResponse & { rolloutId: string; steps: NonNullable<DeployResponse['steps']> };

/** A customer user of `customerId` with `role` (invited by the vendor, invite accepted). */
async function customerUser(customerId: string, role: string): Promise<ApiClient> {
  const invite = await api.post<{ inviteUrl: string }>('/invites', { email: `c-${randomSuffix()}@example.com`, role, customerId });
  const user = new ApiClient(hub.url);
  expect((await user.post(`/invites/${invite.body.inviteUrl.split('/').pop() ?? ''}/accept`, { name: 'Cleo', password: 'a long enough password' })).status).toBe(200);
  return user;
}

async function installation(name: string, customerId = ids.customer, delayMs?: number): Promise<{ id: string; agent: SimAgent }> {
  const id = (await api.post<{ id: string }>('/installations', { customerId, name, environment: 'prod', agentKind: 'compose', trackId: ids.track })).body.id;
  const creds = (await api.post<AgentCredentials>(`/installations/${id}/agent-credentials`)).body;
  const agent = await simAgent(hub.url, id, creds.agentId, creds.secret, delayMs);
  agents.push(agent);
  return { id, agent };
}

const status = async (id: string) => (await api.get<InstallationStatus>(`/installations/${id}/status`)).body;
const onRelease = (id: string, version: string) => waitFor(async () => ((await status(id)).desiredVersion === version && (await status(id)).health === 'healthy' ? true : undefined), 15_000, `${id} on ${version}`);
const ended = (id: string) =>
  waitFor(async () => {
    const r = (await api.get<Rollout>(`/rollouts/${id}`)).body;
    return ['completed', 'rolled_back', 'paused', 'failed', 'aborted'].includes(r.status) ? r : undefined;
  }, 30_000, 'the rollout to end');
/** The release versions an agent was sent, in order, one entry per desired state. */
const versionsSent = (agent: SimAgent) => agent.received.map((d) => d.components.map((c) => `${c.name}@${c.version}`).join(' '));

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  const svc = (await api.post<{ id: string }>('/applications', { name: 'svc', kind: 'compose' })).body.id;
  const extra = (await api.post<{ id: string }>('/applications', { name: 'extra', kind: 'compose' })).body.id;
  const version = async (app: string, v: string) => (await api.post<{ id: string }>(`/applications/${app}/versions`, { version: v, compose: { file: `services:\n  x:\n    image: sim/x:${v}\n` } })).body.id;
  ids.track = (await api.post<{ id: string }>('/tracks', { name: 'Svc', applicationIds: [svc, extra] })).body.id;
  const release = async (v: string, body: Record<string, unknown> = {}, withExtra = false) => {
    const stages = [[{ applicationId: svc, versionId: await version(svc, v) }], ...(withExtra ? [[{ applicationId: extra, versionId: await version(extra, v) }]] : [])];
    const res = await api.post<Release>(`/tracks/${ids.track}/releases`, { version: v, stages, ...body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect((await api.post(`/releases/${res.body.id}/lock`)).status).toBe(200);
    return res.body;
  };
  ids.r1 = (await release('1.0.0')).id;
  const r2 = await release('2.0.0', { required: true });
  expect(r2.required).toBe(true);
  ids.r2 = r2.id;
  ids.r3 = (await release('3.0.0')).id;
  // 4.0.0 adds a second stage whose component the agents are told to fail.
  ids.r4 = (await release('4.0.0', {}, true)).id;
  ids.customer = (await api.post<{ id: string }>('/customers', { name: 'Stepper' })).body.id;
  await api.post('/entitlements', { customerId: ids.customer, trackId: ids.track });
}, 60_000);

afterAll(async () => {
  for (const a of agents) a.socket.disconnect();
  await hub?.close();
  await tdb?.drop();
});

describe('required releases', { timeout: 90_000 }, () => {
  it('is marked on create or later (require / unrequire, audited); a rescinded release cannot be', async () => {
    expect((await api.get<Release>(`/releases/${ids.r3}`)).body.required).toBe(false);
    const on = await api.post<Release>(`/releases/${ids.r3}/require`);
    expect(on.status).toBe(200);
    expect(on.body.required).toBe(true);
    const off = await api.post<Release>(`/releases/${ids.r3}/unrequire`);
    expect(off.body.required).toBe(false);
    const audit = (await api.get<{ items: { action: string; target: { id: string } }[] }>('/audit')).body.items;
    expect(audit.filter((e) => e.target.id === ids.r3).map((e) => e.action).slice(0, 2)).toEqual(['release.unrequire', 'release.require']);
    const list = (await api.get<{ items: Release[] }>(`/tracks/${ids.track}/releases`)).body.items;
    expect(list.map((r) => [r.version, r.required])).toEqual([['4.0.0', false], ['3.0.0', false], ['2.0.0', true], ['1.0.0', false]]);
  });

  it('the rollout preview shows the steps; the rollout steps through the required release', async () => {
    const { id, agent } = await installation('behind');
    expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.r1 })).status).toBe(202);
    await onRelease(id, '1.0.0');

    const body = { releaseId: ids.r3, targets: { installationIds: [id] }, strategy: { respectMaintenanceWindows: false } };
    const preview = await api.post<RolloutPreview>('/rollouts/preview', body);
    expect(preview.body.steps).toEqual([{ installationId: id, requiredSteps: [{ releaseId: ids.r2, version: '2.0.0', stageCount: 1 }] }]);

    const created = await api.post<Rollout>('/rollouts', body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.targets[0]).toMatchObject({ requiredSteps: [{ releaseId: ids.r2, version: '2.0.0', stageCount: 1 }], step: 0 });
    const done = await ended(created.body.id);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    expect(done.targets[0]).toMatchObject({ status: 'succeeded', step: 1, stage: 1 });
    // The agent ran 2.0.0 (healthy) before it was sent 3.0.0.
    expect(versionsSent(agent)).toEqual(['svc@1.0.0', 'svc@2.0.0', 'svc@3.0.0']);
    const timeline = (await api.get<RolloutTimeline>(`/rollouts/${done.id}/timeline`)).body.items.filter((e) => e.type === 'stage-sent');
    expect(timeline.map((e) => e.message)).toEqual(['release 2.0.0 (required), step 1 of 2', 'release 3.0.0, step 2 of 2']);
    await onRelease(id, '3.0.0');
    expect((await api.get<Release>(`/releases/${ids.r2}`)).body.deployment).not.toBe('none');
    ids.behind = id;
  });

  it('a direct deploy past a required release steps through it: a one-installation rollout, 2.0.0 healthy before 3.0.0', async () => {
    const { id, agent } = await installation('direct');
    const first = await api.post<DeployResponse>(`/installations/${id}/deploy`, { releaseId: ids.r1 });
    expect(first.status).toBe(202);
    expect(Object.keys(first.body)).toEqual(['revision']);
    await onRelease(id, '1.0.0');

    const stepped = await api.post<Stepped>(`/installations/${id}/deploy`, { releaseId: ids.r3 });
    expect(stepped.status, JSON.stringify(stepped.body)).toBe(202);
    expect(stepped.body.steps).toEqual([
      { releaseId: ids.r2, version: '2.0.0', stageCount: 1 },
      { releaseId: ids.r3, version: '3.0.0', stageCount: 1 },
    ]);
    // Its first step went out with the answer (the agent is online): the revision is 2.0.0's.
    expect(stepped.body.revision).toBe(first.body.revision + 1);
    const done = await ended(stepped.body.rolloutId);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    expect(done).toMatchObject({ releaseId: ids.r3, strategy: { respectMaintenanceWindows: false, requireCustomerApproval: false } });
    expect(done.targets).toHaveLength(1);
    expect(done.targets[0]).toMatchObject({ installationId: id, status: 'succeeded', step: 1 });
    expect(versionsSent(agent)).toEqual(['svc@1.0.0', 'svc@2.0.0', 'svc@3.0.0']);
    const sent = (await api.get<RolloutTimeline>(`/rollouts/${done.id}/timeline`)).body.items.filter((e) => e.type === 'stage-sent');
    expect(sent.map((e) => e.message)).toEqual(['release 2.0.0 (required), step 1 of 2', 'release 3.0.0, step 2 of 2']);
    await onRelease(id, '3.0.0');
    // The audit names the rollout the deploy became.
    const audit = (await api.get<{ items: { action: string; target: { id: string }; details: Record<string, unknown> }[] }>('/audit')).body.items;
    expect(audit.find((e) => e.action === 'installation.deploy' && e.target.id === id)?.details).toMatchObject({ releaseId: ids.r3, rolloutId: done.id });
  });

  it('steps are counted from the release the agent applied; a second deploy while one steps is refused, naming its rollout', async () => {
    const { id, agent } = await installation('slow', ids.customer, 1500);
    expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.r1 })).status).toBe(202);
    await onRelease(id, '1.0.0');
    // 2.0.0 is desired, not yet applied (the agent takes 1.5 s): going to 3.0.0 still runs 2.0.0 first.
    const direct = await api.post<DeployResponse>(`/installations/${id}/deploy`, { releaseId: ids.r2 });
    expect(Object.keys(direct.body)).toEqual(['revision']);
    const stepped = await api.post<Stepped>(`/installations/${id}/deploy`, { releaseId: ids.r3 });
    expect(stepped.status, JSON.stringify(stepped.body)).toBe(202);
    expect(stepped.body.steps.map((s) => s.version)).toEqual(['2.0.0', '3.0.0']);

    const second = await api.post<Err>(`/installations/${id}/deploy`, { releaseId: ids.r4 });
    expect(second.status).toBe(409);
    expect(second.body.error.code).toBe('CONFLICT');
    expect(second.body.error.message).toBe(`Installation "slow" is stepping through required releases to 3.0.0 in rollout ${stepped.body.rolloutId}: wait for it to end, or abort it first`);
    expect(second.body.error.details).toEqual({ rolloutId: stepped.body.rolloutId });
    const done = await ended(stepped.body.rolloutId);
    expect(done.status, JSON.stringify(done)).toBe('completed');
    await onRelease(id, '3.0.0');
    expect(versionsSent(agent)).toEqual(['svc@1.0.0', 'svc@2.0.0', 'svc@2.0.0', 'svc@3.0.0']);
    // Once it ended, deploys are taken again.
    expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.r3 })).status).toBe(202);
  });

  it("a customer's deploy steps only through required releases its entitlement covers; the preview says so", async () => {
    const partial = (await api.post<{ id: string }>('/customers', { name: 'Partial' })).body.id;
    await api.post('/entitlements', { customerId: partial, trackId: ids.track, versionRange: '1.0.0 || >=3.0.0' });
    const { id } = await installation('uncovered', partial);
    expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.r1 })).status).toBe(202);
    await onRelease(id, '1.0.0');
    const admin = await customerUser(partial, 'admin');
    const refused = await admin.post<Err>(`/installations/${id}/deploy`, { releaseId: ids.r3 });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('Required release 2.0.0 comes before 3.0.0, and your entitlement does not cover it: ask your vendor');
    expect(refused.body.error.details).toEqual({ requiredReleaseId: ids.r2, requiredVersion: '2.0.0' });
    const preview = await api.post<RolloutPreview>('/rollouts/preview', { releaseId: ids.r3, targets: { customerIds: [partial] } });
    expect(preview.body.eligibleCount).toBe(0);
    expect(preview.body.ineligible).toEqual([{ installationId: id, name: 'uncovered', customerName: 'Partial', reason: 'required-release-not-entitled', message: 'required release 2.0.0 comes first, and Partial is not entitled to it' }]);
    const rollout = await api.post<Err>('/rollouts', { releaseId: ids.r3, targets: { installationIds: [id] } });
    expect(rollout.status).toBe(409);
    expect(rollout.body.error.message).toBe('targets: uncovered: required release 2.0.0 comes before 3.0.0, and Partial is not entitled to it');
    // Covered: the customer's own deploy steps through it.
    const covered = await api.post<{ id: string }>('/customers', { name: 'Covered' });
    await api.post('/entitlements', { customerId: covered.body.id, trackId: ids.track });
    const other = await installation('covered', covered.body.id);
    expect((await api.post(`/installations/${other.id}/deploy`, { releaseId: ids.r1 })).status).toBe(202);
    await onRelease(other.id, '1.0.0');
    const coveredAdmin = await customerUser(covered.body.id, 'admin');
    // A required step on hold blocks the way until it is resumed.
    expect((await api.post(`/releases/${ids.r2}/hold`)).status).toBe(200);
    const held = await coveredAdmin.post<Err>(`/installations/${other.id}/deploy`, { releaseId: ids.r3 });
    expect([held.status, held.body.error.message]).toEqual([409, 'Required release 2.0.0 comes before 3.0.0 and is on hold: resume it first']);
    expect((await api.post(`/releases/${ids.r2}/resume`)).status).toBe(200);
    const own = await coveredAdmin.post<Stepped>(`/installations/${other.id}/deploy`, { releaseId: ids.r3 });
    expect(own.status, JSON.stringify(own.body)).toBe(202);
    expect(own.body.steps.map((s) => s.version)).toEqual(['2.0.0', '3.0.0']);
    expect((await ended(own.body.rolloutId)).status).toBe('completed');
    await onRelease(other.id, '3.0.0');
  });

  it('never goes back below a required release it runs: deploy and rollout answer 409; down to the required one is fine', async () => {
    const id = ids.behind ?? '';
    const back = await api.post<Err>(`/installations/${id}/deploy`, { releaseId: ids.r1 });
    expect(back.status).toBe(409);
    expect(back.body.error.code).toBe('BELOW_REQUIRED_RELEASE');
    expect(back.body.error.message).toBe('Installation "behind" runs 3.0.0, past required release 2.0.0: it cannot go back to 1.0.0 (2.0.0 or newer only)');
    const rollout = await api.post<Err>('/rollouts', { releaseId: ids.r1, targets: { installationIds: [id] } });
    expect(rollout.status).toBe(409);
    expect(rollout.body.error.code).toBe('BELOW_REQUIRED_RELEASE');
    const preview = await api.post<RolloutPreview>('/rollouts/preview', { releaseId: ids.r1, targets: { all: true } });
    expect(preview.body.ineligible).toContainEqual(expect.objectContaining({ installationId: id, reason: 'below-required-release', message: 'it runs required release 2.0.0 or newer: it cannot go back to 1.0.0' }));
    expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.r2 })).status).toBe(202);
    await onRelease(id, '2.0.0');
  });

  it('a failed release rolls back to the required release it stepped through, never below it', async () => {
    const { id, agent } = await installation('rolls-back');
    expect((await api.post(`/installations/${id}/deploy`, { releaseId: ids.r1 })).status).toBe(202);
    await onRelease(id, '1.0.0');
    agent.failing.add('extra');
    const created = await api.post<Rollout>('/rollouts', { releaseId: ids.r4, targets: { installationIds: [id] }, strategy: { failurePolicy: 'rollback', respectMaintenanceWindows: false, healthTimeoutSeconds: 20 } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const done = await ended(created.body.id);
    expect(done.status, JSON.stringify(done)).toBe('rolled_back');
    expect(done.targets[0]).toMatchObject({ status: 'rolled_back', step: 1 });
    const timeline = (await api.get<RolloutTimeline>(`/rollouts/${done.id}/timeline`)).body.items.filter((e) => e.installationId === id);
    expect(timeline.map((e) => `${e.type}${e.stage ? `@${e.stage}` : ''}`)).toEqual(['stage-sent@1', 'stage-sent@1', 'stage-sent@2', 'rollback-stage@2', 'rollback-stage@1', 'rolled_back']);
    await onRelease(id, '2.0.0');
    expect((await status(id)).components.map((c) => `${c.name}@${c.version}`)).toEqual(['svc@2.0.0']);
    // Its customer's updates count from 2.0.0 and show 4.0.0 as failed.
    const updates = (await api.get<InstallationUpdates>(`/installations/${id}/updates`)).body;
    expect(updates.currentVersion).toBe('2.0.0');
    expect(updates.failed.map((f) => f.version)).toEqual(['4.0.0']);
  });
});
