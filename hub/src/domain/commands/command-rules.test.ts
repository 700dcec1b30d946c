import { describe, expect, it } from 'vitest';
import { agentUpdateOffer, imageVersion } from './agent-update.js';
import { canMove, driftChanges, planCommand, statusFromProgress, type CommandRequest } from './command-rules.js';

const shipped = { compose: 'registry.example.com:5000/flotilla/agent-compose:1.4.0', helm: 'flotilla/agent-helm:1.3.0' };
const request = (over: Partial<CommandRequest> & { body: CommandRequest['body'] }): CommandRequest => ({
  byCustomer: false,
  agentKind: 'compose',
  desiredComponents: ['api', 'web'],
  agentVersion: '1.2.0',
  shipped,
  ...over,
});

describe('imageVersion', () => {
  it.each([
    ['flotilla/agent-compose:1.4.0', '1.4.0'],
    ['registry.example.com:5000/flotilla/agent-compose:2.0.0-rc.1', '2.0.0-rc.1'],
    ['registry.example.com:5000/flotilla/agent-compose', null],
    ['flotilla/agent-compose@sha256:abcd', null],
    ['flotilla/agent-compose:1.0.0@sha256:abcd', '1.0.0'],
    ['flotilla/agent-compose:', null],
  ])('%s → %s', (image, version) => {
    expect(imageVersion(image)).toBe(version);
  });
});

describe('agentUpdateOffer', () => {
  it('offers the shipped image of the agent kind when it is semver-greater', () => {
    expect(agentUpdateOffer('compose', '1.2.0', shipped)).toEqual({ version: '1.4.0', image: shipped.compose });
    expect(agentUpdateOffer('helm', '1.2.9', shipped)).toEqual({ version: '1.3.0', image: shipped.helm });
  });

  it('offers nothing for the same or an older shipped version, unknown running versions or untagged images', () => {
    expect(agentUpdateOffer('compose', '1.4.0', shipped)).toBeNull();
    expect(agentUpdateOffer('compose', '2.0.0', shipped)).toBeNull();
    expect(agentUpdateOffer('compose', null, shipped)).toBeNull();
    expect(agentUpdateOffer('compose', 'dev-build', shipped)).toBeNull();
    expect(agentUpdateOffer('compose', '1.0.0', { ...shipped, compose: 'flotilla/agent-compose:test' })).toBeNull();
  });
});

describe('planCommand', () => {
  it('accepts a restart of known targets, deduplicated', () => {
    expect(planCommand(request({ body: { type: 'restart', targets: ['web', 'web'] } }))).toEqual({ ok: true, payload: { targets: ['web'] } });
  });

  it('defaults collect-logs to 200 lines and keeps a given count', () => {
    expect(planCommand(request({ body: { type: 'collect-logs' } }))).toEqual({ ok: true, payload: { lines: 200 } });
    expect(planCommand(request({ body: { type: 'collect-logs', lines: 20, targets: ['api'] } }))).toEqual({ ok: true, payload: { targets: ['api'], lines: 20 } });
  });

  it('refuses unknown targets, naming them and the components that exist', () => {
    const d = planCommand(request({ body: { type: 'redeploy', targets: ['db', 'api'] } }));
    expect(d).toEqual({ ok: false, code: 'VALIDATION_FAILED', message: expect.stringContaining('db is not a component of this installation (api, web)') as string });
  });

  it('refuses workload commands when nothing is deployed', () => {
    expect(planCommand(request({ desiredComponents: [], body: { type: 'restart' } }))).toMatchObject({ ok: false, code: 'CONFLICT' });
  });

  it('refuses lines on anything but collect-logs', () => {
    expect(planCommand(request({ body: { type: 'restart', lines: 5 } }))).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
  });

  it('lets customers restart, collect logs and redeploy, not roll back or update the agent', () => {
    for (const type of ['restart', 'collect-logs', 'redeploy'] as const) expect(planCommand(request({ byCustomer: true, body: { type } })).ok).toBe(true);
    for (const type of ['rollback', 'self-update'] as const) expect(planCommand(request({ byCustomer: true, body: { type } }))).toMatchObject({ ok: false, code: 'FORBIDDEN' });
  });

  it('fills self-update with the shipped image and version of the agent kind', () => {
    expect(planCommand(request({ body: { type: 'self-update' } }))).toEqual({ ok: true, payload: { image: shipped.compose, agentVersion: '1.4.0' } });
    expect(planCommand(request({ agentKind: 'helm', body: { type: 'self-update' } }))).toEqual({ ok: true, payload: { image: shipped.helm, agentVersion: '1.3.0' } });
  });

  it('refuses a self-update to the version the agent runs, before it ever connected, with targets, or to an untagged image', () => {
    expect(planCommand(request({ agentVersion: '1.4.0', body: { type: 'self-update' } }))).toEqual({ ok: false, code: 'CONFLICT', message: 'The agent already runs 1.4.0' });
    expect(planCommand(request({ agentVersion: null, body: { type: 'self-update' } }))).toMatchObject({ ok: false, code: 'CONFLICT' });
    expect(planCommand(request({ body: { type: 'self-update', targets: ['api'] } }))).toMatchObject({ ok: false, code: 'VALIDATION_FAILED' });
    expect(planCommand(request({ shipped: { ...shipped, compose: 'flotilla/agent-compose' }, body: { type: 'self-update' } }))).toMatchObject({ ok: false, code: 'CONFLICT' });
  });

  it('allows a self-update to a different, even older, shipped version (a deliberate downgrade)', () => {
    expect(planCommand(request({ agentVersion: '9.0.0', body: { type: 'self-update' } })).ok).toBe(true);
  });
});

describe('command status', () => {
  it('only moves forward and never leaves a final status', () => {
    expect(canMove('pending', 'delivered')).toBe(true);
    expect(canMove('pending', 'running')).toBe(true);
    expect(canMove('delivered', 'succeeded')).toBe(true);
    expect(canMove('running', 'delivered')).toBe(false);
    expect(canMove('running', 'running')).toBe(false);
    for (const done of ['succeeded', 'failed', 'refused'] as const) {
      for (const next of ['pending', 'delivered', 'running', 'succeeded', 'failed', 'refused'] as const) expect(canMove(done, next)).toBe(false);
    }
  });

  it('keeps a self-update running after the old agent reports success, until the new agent connects', () => {
    expect(statusFromProgress('self-update', 'succeeded')).toEqual({ status: 'running', awaitingReconnect: true });
    expect(statusFromProgress('self-update', 'failed')).toEqual({ status: 'failed', awaitingReconnect: false });
    expect(statusFromProgress('restart', 'succeeded')).toEqual({ status: 'succeeded', awaitingReconnect: false });
  });
});

describe('driftChanges', () => {
  const c = (name: string, drift?: { appliedRevision: number; actualRevision: number }) => ({ name, version: '1', health: 'healthy' as const, ...(drift ? { drift } : {}) });

  it('reports drift appearing, changing and clearing, and nothing when it stays the same', () => {
    expect(driftChanges([c('api')], [c('api', { appliedRevision: 5, actualRevision: 7 })])).toEqual([
      { component: 'api', drifted: true, message: 'api drifted: runtime at revision 7, agent applied 5' },
    ]);
    expect(driftChanges([c('api', { appliedRevision: 5, actualRevision: 7 })], [c('api', { appliedRevision: 5, actualRevision: 7 })])).toEqual([]);
    expect(driftChanges([c('api', { appliedRevision: 5, actualRevision: 7 })], [c('api', { appliedRevision: 5, actualRevision: 8 })])).toHaveLength(1);
    expect(driftChanges([c('api', { appliedRevision: 5, actualRevision: 7 })], [c('api')])).toEqual([
      { component: 'api', drifted: false, message: 'api no longer drifted (runtime back at the applied revision)' },
    ]);
    expect(driftChanges([], [c('api')])).toEqual([]);
  });
});
