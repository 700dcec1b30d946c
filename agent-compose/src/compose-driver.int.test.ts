import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, DriverError, type DriverContext, type HealthSample } from '@flotilla/agent-core';
import type { DesiredComponent } from '@flotilla/protocol';
import {
  assertDockerAvailable,
  containersOfProjects,
  ensureTestImages,
  fetchServed,
  freePort,
  MISSING_IMAGE,
  removeProjects,
  testImage,
  webComposeFile,
  webEnv,
} from '../test/images.js';
import { ComposeDriver, componentPaths } from './compose-driver.js';
import { execCommand } from '@flotilla/agent-core';
import { projectName } from './project.js';

const logger = createLogger(process.env.TEST_LOG_LEVEL === undefined ? 'silent' : 'debug');
let stateDir: string;
let installationId: string;
let driver: ComposeDriver;
let port: number;
let ctx: DriverContext;

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1', 'v2']);
}, 120_000);

beforeEach(async () => {
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-compose-'));
  installationId = randomBytes(4).toString('hex');
  driver = new ComposeDriver({ stateDir, logger });
  port = await freePort();
  ctx = { installationId, logger, signal: new AbortController().signal };
  await driver.init(ctx);
});

afterEach(async () => {
  await removeProjects(`flt-${installationId}-`);
  await rm(stateDir, { recursive: true, force: true });
});

/** A compose component (spreading it keeps it one: `kind` stays 'compose'). */
type ComposeComponent = Extract<DesiredComponent, { kind: 'compose' }>;
const web = (version: string, image = testImage(version)): ComposeComponent => ({
  name: 'web',
  kind: 'compose',
  version,
  stage: 1,
  spec: { file: webComposeFile({ image }), env: webEnv(port) },
});

async function healthOf(component: DesiredComponent): Promise<HealthSample | undefined> {
  return (await driver.health([component], ctx)).get(component.name);
}

async function waitForHealth(component: DesiredComponent, wanted: (h: HealthSample) => boolean, timeoutMs = 20_000): Promise<HealthSample> {
  const deadline = Date.now() + timeoutMs;
  let last: HealthSample | undefined;
  while (Date.now() < deadline) {
    last = await healthOf(component);
    if (last !== undefined && wanted(last)) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`health never matched; last: ${JSON.stringify(last)}`);
}

async function apply(component: DesiredComponent, previous?: DesiredComponent): Promise<void> {
  await driver.apply(component, { ...ctx, revision: 1, previous });
}

describe('ComposeDriver against the Docker engine', () => {
  it('reports docker and compose versions', async () => {
    expect(await driver.runtimeInfo()).toMatch(/^docker \d+\.\d+\S* \/ (compose|docker-compose) v\d/);
  });

  it('applies v1 then v2: serves each version and becomes healthy', async () => {
    await apply(web('v1'));
    expect(await fetchServed(port)).toBe('v1');
    await waitForHealth(web('v1'), (h) => h.health === 'healthy');
    const paths = componentPaths(stateDir, 'web');
    expect(existsSync(paths.file) && existsSync(paths.envFile)).toBe(true);

    await apply(web('v2'), web('v1'));
    await expect.poll(() => fetchServed(port), { timeout: 10_000 }).toBe('v2');
    await waitForHealth(web('v2'), (h) => h.health === 'healthy');
    expect(await containersOfProjects(projectName(installationId, 'web'))).toHaveLength(1);
  });

  it('a container stopped by hand is reported failed', async () => {
    await apply(web('v1'));
    await waitForHealth(web('v1'), (h) => h.health === 'healthy');
    const [id] = await containersOfProjects(projectName(installationId, 'web'));
    await execCommand('docker', ['stop', '-t', '1', id ?? '']);
    const h = await waitForHealth(web('v1'), (x) => x.health === 'failed' || x.health === 'degraded');
    expect(h.message).toMatch(/web: exited/);
  });

  it('a non-existent image fails with docker\'s error and leaves the previous version running', async () => {
    await apply(web('v1'));
    await waitForHealth(web('v1'), (h) => h.health === 'healthy');
    const broken = web('v9', MISSING_IMAGE);
    const err: unknown = await apply(broken, web('v1')).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DriverError);
    expect((err as DriverError).message).toMatch(/does-not-exist|pull access denied|not found|no such host|manifest unknown/i);
    // Old containers untouched, and the files on disk still describe them.
    expect(await fetchServed(port)).toBe('v1');
    expect((await healthOf(web('v1')))?.health).toBe('healthy');
    const { readFile } = await import('node:fs/promises');
    expect(await readFile(componentPaths(stateDir, 'web').file, 'utf8')).toContain(testImage('v1'));
  });

  it('restart restarts the containers, and collect-logs returns their last lines', async () => {
    // A service that says hello on every start, so a restart shows in its log.
    const talker: ComposeComponent = {
      ...web('v1'),
      spec: {
        file: `services:\n  web:\n    image: ${testImage('v1')}\n    network_mode: host\n    command: ["/bin/sh", "-c", "echo hello from web; trap 'exit 0' TERM; while true; do sleep 1; done"]\n`,
      },
    };
    await apply(talker);
    await expect.poll(async () => (await driver.logs(talker, 50, ctx)).filter((l) => l.includes('hello from web')).length, { timeout: 10_000 }).toBe(1);
    await driver.restart(talker, ctx);
    await expect.poll(async () => (await driver.logs(talker, 50, ctx)).filter((l) => l.includes('hello from web')).length, { timeout: 10_000 }).toBe(2);
    expect(await driver.logs(talker, 1, ctx)).toEqual([expect.stringMatching(/hello from web$/) as string]);
    await waitForHealth(talker, (h) => h.health === 'healthy');
  });

  it('reports CPU, memory and restarts of a busy container from the Docker engine', async () => {
    const busy: ComposeComponent = {
      ...web('v1'),
      spec: {
        // Spins one core; memory is the shell's. `restart: always` with an exit after 1 s counts restarts.
        file: `services:\n  web:\n    image: ${testImage('v1')}\n    network_mode: host\n    command: ["/bin/sh", "-c", "while true; do :; done"]\n  blip:\n    image: ${testImage('v1')}\n    network_mode: host\n    restart: always\n    command: ["/bin/sh", "-c", "sleep 1; exit 1"]\n`,
      },
    };
    await apply(busy);
    expect(await driver.metrics([busy], { ...ctx, installationId: 'another' })).toEqual({ components: [] });
    await expect
      .poll(async () => (await driver.metrics([busy], ctx)).components[0]?.restarts ?? 0, { timeout: 30_000, interval: 1000 })
      .toBeGreaterThanOrEqual(1);
    const [usage] = (await driver.metrics([busy], ctx)).components;
    expect(usage?.name).toBe('web');
    // A busy loop on a shared, loaded machine: well above idle, whatever else runs.
    expect(usage?.cpuPercent).toBeGreaterThan(20);
    expect(usage?.memoryBytes).toBeGreaterThan(0);
    expect(usage?.memoryBytes).toBeLessThan(512 * 2 ** 20);
  }, 60_000);

  it('a forced apply (redeploy) recreates an unchanged container', async () => {
    await apply(web('v1'));
    const [before] = await containersOfProjects(projectName(installationId, 'web'));
    await apply(web('v1'), web('v1'));
    expect(await containersOfProjects(projectName(installationId, 'web'))).toEqual([before]);
    await driver.apply(web('v1'), { ...ctx, revision: 1, previous: web('v1'), force: true });
    const [after] = await containersOfProjects(projectName(installationId, 'web'));
    expect(after).not.toBe(before);
    await expect.poll(() => fetchServed(port), { timeout: 10_000 }).toBe('v1');
  });

  it('removes a component: containers and files are gone; removing again is fine', async () => {
    await apply(web('v1'));
    expect(await fetchServed(port)).toBe('v1');
    await driver.remove(web('v1'), ctx);
    expect(await containersOfProjects(projectName(installationId, 'web'))).toEqual([]);
    expect(existsSync(componentPaths(stateDir, 'web').dir)).toBe(false);
    expect(await fetchServed(port)).toBeUndefined();
    await driver.remove(web('v1'), ctx);
    expect((await healthOf(web('v1')))?.health).toBe('failed');
  });

  it('removes by project label when the compose file is gone', async () => {
    await apply(web('v1'));
    await rm(componentPaths(stateDir, 'web').dir, { recursive: true });
    await driver.remove(web('v1'), ctx);
    expect(await containersOfProjects(projectName(installationId, 'web'))).toEqual([]);
  });

  it('reports an invalid compose file with compose\'s own error', async () => {
    const bad: DesiredComponent = { name: 'web', kind: 'compose', version: 'bad', stage: 1, spec: { file: 'services:\n  web:\n    image: [unclosed\n' } };
    await expect(apply(bad)).rejects.toThrow(DriverError);
  });
});
