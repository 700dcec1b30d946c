import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../test/fake-hub.js';
import type { DesiredComponent, DesiredState } from '@flotilla/protocol';
import { Converger } from './converger.js';
import { createLogger } from './logger.js';
import { StateStore, type LocalState } from './state-store.js';
import { MemoryDriver } from './testing/memory-driver.js';

const logger = createLogger('silent');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-conv-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const comp = (name: string, version: string, stage = 1): DesiredComponent => ({
  name,
  kind: 'compose',
  version,
  stage,
  spec: { file: `services: {}\n# ${name} ${version}\n` },
});
const desired = (revision: number, components: DesiredComponent[]): DesiredState => ({ installationId: 'inst-1', revision, components });

async function setup(driver = new MemoryDriver(), opts: { healthTimeoutMs?: number } = {}) {
  const store = new StateStore(dir, logger);
  const make = async () =>
    new Converger({
      driver,
      store,
      logger,
      state: await store.load(),
      healthTimeoutMs: opts.healthTimeoutMs ?? 5000,
      healthPollMs: 20,
      failFastMs: 10_000,
      sampleHealth: (components) => driver.health(components),
      onChange: () => undefined,
    });
  return { driver, store, converger: await make(), restart: make };
}

describe('Converger', () => {
  it('applies a new revision and persists it; the same revision again does nothing', async () => {
    const { driver, store, converger } = await setup();
    converger.submit(desired(1, [comp('api', '1.0')]));
    await converger.idle();
    expect(driver.applies().map((c) => `${c.name}@${c.version}`)).toEqual(['api@1.0']);
    expect(await store.load()).toMatchObject({ installationId: 'inst-1', appliedRevision: 1, components: [{ name: 'api' }], lastFailure: null });

    converger.submit(desired(1, [comp('api', '1.0')]));
    await converger.idle();
    expect(driver.applies()).toHaveLength(1);
  });

  it('a restarted agent with the applied revision does not redeploy', async () => {
    const { driver, converger, restart } = await setup();
    converger.submit(desired(1, [comp('api', '1.0')]));
    await converger.idle();
    const again = await restart();
    again.submit(desired(1, [comp('api', '1.0')]));
    await again.idle();
    expect(driver.applies()).toHaveLength(1);
  });

  it('applies stage k+1 only once stage k is healthy', async () => {
    const { driver, converger } = await setup();
    driver.initialHealth = { health: 'progressing', message: 'starting' };
    converger.submit(desired(1, [comp('web', '1', 2), comp('db', '1', 1)]));
    await waitFor(() => driver.applies().length === 1, 5000, 'stage 1 applied');
    await new Promise((r) => setTimeout(r, 150));
    expect(driver.applies().map((c) => c.name)).toEqual(['db']);
    driver.setHealth('db', { health: 'healthy' });
    await converger.idle();
    expect(driver.applies().map((c) => c.name)).toEqual(['db', 'web']);
    expect(converger.state.appliedRevision).toBe(1);
  });

  it('a stage not healthy in time fails the revision and keeps the previous one', async () => {
    const { driver, converger } = await setup(new MemoryDriver(), { healthTimeoutMs: 200 });
    converger.submit(desired(1, [comp('db', '1')]));
    await converger.idle();
    driver.initialHealth = { health: 'progressing', message: 'health: starting' };
    converger.submit(desired(2, [comp('db', '2', 1), comp('web', '2', 2)]));
    await converger.idle();
    expect(converger.state.appliedRevision).toBe(1);
    expect(converger.state.lastFailure).toMatchObject({ revision: 2, components: ['db'] });
    expect(converger.state.lastFailure?.message).toMatch(/stage 1 not healthy after 0 s: db: progressing \(health: starting\)/);
    expect(converger.overrides.get('db')).toMatchObject({ health: 'failed' });
    expect(driver.applies().map((c) => c.name)).toEqual(['db', 'db']);
  });

  it('on a driver failure: reports the error, keeps the revision, does not retry in a loop, retries once after a restart', async () => {
    const { driver, converger, restart } = await setup();
    converger.submit(desired(1, [comp('api', '1')]));
    await converger.idle();

    driver.failApply('api', 'pull access denied for nope', '2');
    converger.submit(desired(2, [comp('api', '2')]));
    await converger.idle();
    expect(converger.state.appliedRevision).toBe(1);
    expect(converger.state.components).toEqual([comp('api', '1')]);
    expect(converger.overrides.get('api')).toEqual({ health: 'failed', message: 'pull access denied for nope' });

    // The hub re-sends the same desired state (e.g. on reconnect): not retried.
    converger.submit(desired(2, [comp('api', '2')]));
    await converger.idle();
    expect(driver.applies()).toHaveLength(2);

    // After a restart, the failure is still reported and the revision is retried once.
    const again = await restart();
    expect(again.overrides.get('api')).toMatchObject({ health: 'failed' });
    driver.failApply('api', 'still broken', '2');
    again.submit(desired(2, [comp('api', '2')]));
    await again.idle();
    again.submit(desired(2, [comp('api', '2')]));
    await again.idle();
    expect(driver.applies()).toHaveLength(3);
    expect(again.state.lastFailure?.message).toBe('still broken');

    // A new revision is applied and clears the failure.
    again.submit(desired(3, [comp('api', '3')]));
    await again.idle();
    expect(again.state).toMatchObject({ appliedRevision: 3, lastFailure: null });
    expect(again.overrides.size).toBe(0);
  });

  it('remembers a new component whose first apply failed, so a later revision removes it', async () => {
    const { driver, converger } = await setup();
    converger.submit(desired(1, [comp('api', '1')]));
    await converger.idle();
    driver.failApply('extra', 'port is already allocated');
    converger.submit(desired(2, [comp('api', '1'), comp('extra', '1')]));
    await converger.idle();
    expect(converger.state).toMatchObject({ appliedRevision: 1, lastFailure: { revision: 2, components: ['extra'] } });
    expect(converger.state.components.map((c) => c.name).sort()).toEqual(['api', 'extra']);
    converger.submit(desired(3, [comp('api', '1')]));
    await converger.idle();
    expect(driver.calls.filter((c) => c.op === 'remove').map((c) => c.name)).toEqual(['extra']);
    expect(converger.state).toMatchObject({ appliedRevision: 3, lastFailure: null });
  });

  it('removes components that are no longer desired', async () => {
    const { driver, converger } = await setup();
    converger.submit(desired(1, [comp('api', '1'), comp('old', '1')]));
    await converger.idle();
    converger.submit(desired(2, [comp('api', '1')]));
    await converger.idle();
    expect(driver.calls.filter((c) => c.op === 'remove').map((c) => c.name)).toEqual(['old']);
    expect(converger.state.components.map((c) => c.name)).toEqual(['api']);
    expect(converger.state.appliedRevision).toBe(2);
  });

  it('a newer desired state supersedes queued ones', async () => {
    const { driver, converger } = await setup();
    driver.applyDelayMs = 100;
    converger.submit(desired(1, [comp('a', '1'), comp('b', '1')]));
    await waitFor(() => driver.applies().length === 1, 5000, 'first apply started');
    converger.submit(desired(2, [comp('a', '2'), comp('b', '2')]));
    converger.submit(desired(3, [comp('a', '3'), comp('b', '3')]));
    await converger.idle();
    // Revision 1 is interrupted after its in-flight call, revision 2 never starts.
    expect(driver.applies().map((c) => `${c.name}@${c.version}`)).toEqual(['a@1', 'a@3', 'b@3']);
    expect(converger.state).toMatchObject({ appliedRevision: 3, lastFailure: null });
  });

  it('stop() waits for the in-flight driver call and leaves a valid state', async () => {
    const { driver, store, converger } = await setup();
    driver.applyDelayMs = 100;
    converger.submit(desired(1, [comp('a', '1'), comp('b', '1')]));
    await waitFor(() => driver.applies().length === 1, 5000, 'first apply started');
    await converger.stop(2000);
    const state: LocalState = await store.load();
    expect(state.appliedRevision).toBe(0);
    expect(state.components.map((c) => c.name)).toEqual(['a']);
    expect(driver.applies()).toHaveLength(1);
    converger.submit(desired(2, [comp('a', '2')]));
    await converger.idle();
    expect(driver.applies()).toHaveLength(1);
  });

  it('uninstall removes every component, last stage first, and a re-sent desired state brings nothing back', async () => {
    const { driver, store, converger, restart } = await setup();
    const running = [comp('migrate', '1', 1), comp('api', '1', 2), comp('web', '1', 3)];
    converger.submit(desired(3, running));
    await converger.idle();
    expect(await converger.uninstall(3)).toEqual({ ok: true, removed: ['web', 'api', 'migrate'] });
    expect(driver.calls.filter((c) => c.op === 'remove').map((c) => c.name)).toEqual(['web', 'api', 'migrate']);
    expect(driver.running.size).toBe(0);
    expect(await store.load()).toMatchObject({ installationId: 'inst-1', components: [], uninstalledRevision: 3, lastFailure: null });

    converger.submit(desired(3, running));
    await converger.idle();
    const again = await restart();
    again.submit(desired(3, running));
    await again.idle();
    expect(driver.applies()).toHaveLength(3);
    // A newer deploy (after a failed uninstall went back to active) applies again.
    again.submit(desired(4, running));
    await again.idle();
    expect(driver.applies()).toHaveLength(6);
  });

  it('uninstall interrupts an apply in flight and drops what was queued', async () => {
    const { driver, converger } = await setup();
    driver.applyDelayMs = 100;
    converger.submit(desired(1, [comp('a', '1'), comp('b', '1')]));
    await waitFor(() => driver.applies().length === 1, 5000, 'first apply started');
    converger.submit(desired(2, [comp('a', '2'), comp('b', '2')]));
    expect(await converger.uninstall()).toEqual({ ok: true, removed: ['a'] });
    await converger.idle();
    expect(driver.applies().map((c) => `${c.name}@${c.version}`)).toEqual(['a@1']);
    expect(converger.state).toMatchObject({ components: [], uninstalledRevision: 2 });
  });

  it('a component that cannot be removed stops the uninstall with the driver\'s words; the rest still runs', async () => {
    const { driver, converger } = await setup();
    converger.submit(desired(1, [comp('db', '1', 1), comp('api', '1', 2), comp('web', '1', 3)]));
    await converger.idle();
    driver.failHook('remove', 'api', 'Error response from daemon: container is paused');
    expect(await converger.uninstall(1)).toEqual({ ok: false, message: 'could not remove api: Error response from daemon: container is paused' });
    expect(converger.state.components.map((c) => c.name).sort()).toEqual(['api', 'db']);
    expect(converger.state.uninstalledRevision).toBeUndefined();
    expect([...driver.running.keys()].sort()).toEqual(['api', 'db']);
  });
});
