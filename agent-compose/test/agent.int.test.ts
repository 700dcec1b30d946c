import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAgent, createLogger, type Agent, type AgentConfig } from '@flotilla/agent-core';
import { FakeHub, waitFor } from '@flotilla/agent-core/test/fake-hub';
import type { DesiredComponent, DesiredState } from '@flotilla/protocol';
import { ComposeDriver } from '../src/compose-driver.js';
import { execCommand, type Exec } from '@flotilla/agent-core';
import { projectName } from '../src/project.js';
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
} from './images.js';

const logger = createLogger(process.env.TEST_LOG_LEVEL === undefined ? 'silent' : 'debug');
let hub: FakeHub;
let agent: Agent | undefined;
let stateDir: string;
let installationId: string;
let port: number;
const calls: string[][] = [];

/** The real CLI runner, recording every call so the test can tell whether docker was asked to deploy. */
const recordingExec: Exec = (command, args, options) => {
  calls.push([command, ...args]);
  return execCommand(command, args, options);
};
const upCalls = () => calls.filter((c) => c.includes('up')).length;

beforeAll(async () => {
  await assertDockerAvailable();
  await ensureTestImages(['v1', 'v2']);
}, 120_000);

beforeEach(async () => {
  hub = await FakeHub.start();
  stateDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-agent-compose-'));
  installationId = `${randomBytes(4).toString('hex')}-test-installation`;
  port = await freePort();
  calls.length = 0;
});

afterEach(async () => {
  await agent?.stop();
  agent = undefined;
  await hub.close();
  await removeProjects(`flt-${installationId.slice(0, 8)}-`);
  await rm(stateDir, { recursive: true, force: true });
});

const migrate: DesiredComponent = {
  name: 'migrate',
  kind: 'compose',
  version: '1',
  stage: 1,
  // A one-shot service: runs, exits 0, is not restarted → counts as healthy (completed).
  spec: { file: `services:\n  migrate:\n    image: ${testImage('v1')}\n    network_mode: host\n    command: ["true"]\n` },
};
const web = (version: string, image = testImage(version)): DesiredComponent => ({
  name: 'web',
  kind: 'compose',
  version,
  stage: 2,
  spec: { file: webComposeFile({ image }), env: webEnv(port) },
});
const desired = (revision: number, components: DesiredComponent[]): DesiredState => ({ installationId, revision, components });

async function startAgent(): Promise<Agent> {
  const config: AgentConfig = {
    hubUrl: hub.url,
    agentId: 'agent-1',
    secret: 'secret-1',
    stateDir,
    logLevel: 'silent',
    statusIntervalMs: 30_000,
    healthIntervalMs: 300,
    healthTimeoutMs: 30_000,
  };
  const driver = new ComposeDriver({ stateDir, logger, exec: recordingExec });
  const a = createAgent(driver, config, logger, { agentVersion: 'test', backoff: { baseMs: 50, maxMs: 500 }, healthPollMs: 250 });
  agent = a;
  await a.start();
  return a;
}

const reportWith = (revision: number, name: string, health: string) =>
  hub.reports.find((r) => r.revision === revision && r.components.some((c) => c.name === name && c.health === health));

describe('agent-compose end to end (fake hub, real Docker)', () => {
  it('deploys stage by stage, updates, never redeploys the same revision, survives a bad image, removes', async () => {
    const a = await startAgent();
    await waitFor(() => hub.hellos[0], 10_000, 'hello');
    expect(hub.hellos[0]?.host.runtime).toMatch(/^docker .* \/ (compose|docker-compose) v/);

    // Revision 1: the migrator (stage 1) must complete before web v1 (stage 2) is applied.
    hub.push(desired(1, [web('v1'), migrate]));
    await waitFor(() => a.state.appliedRevision === 1, 40_000, 'revision 1 applied');
    const ups = calls.filter((c) => c.includes('up')).map((c) => c[c.indexOf('-p') + 1]);
    expect(ups).toEqual([projectName(installationId, 'migrate'), projectName(installationId, 'web')]);
    expect(await fetchServed(port)).toBe('v1');
    await waitFor(() => reportWith(1, 'web', 'healthy') && reportWith(1, 'migrate', 'healthy'), 20_000, 'healthy report');

    // Revision 2: web v2.
    hub.push(desired(2, [web('v2'), migrate]));
    await waitFor(() => a.state.appliedRevision === 2, 40_000, 'revision 2 applied');
    await expect.poll(() => fetchServed(port), { timeout: 10_000 }).toBe('v2');
    const report2 = await waitFor(() => reportWith(2, 'web', 'healthy'), 20_000, 'v2 healthy');
    expect(report2.components.find((c) => c.name === 'web')?.version).toBe('v2');
    // Replacing containers is reported as progressing, never as a transient failure.
    expect(hub.reports.filter((r) => r.components.some((c) => c.health === 'failed' || c.health === 'degraded'))).toEqual([]);

    // The same revision again (push, then a hub restart with a new hello): no docker deploy at all.
    const before = upCalls();
    hub.push(desired(2, [web('v2'), migrate]));
    await hub.restart(50);
    await waitFor(() => hub.hellos.length === 2, 10_000, 'second hello');
    expect(hub.hellos[1]?.appliedRevision).toBe(2);
    await new Promise((r) => setTimeout(r, 500));
    await a.idle();
    expect(upCalls()).toBe(before);

    // Revision 3: an image that does not exist → web failed with docker's error, v2 keeps serving.
    hub.push(desired(3, [web('v3', MISSING_IMAGE), migrate]));
    const failed = await waitFor(
      () => hub.reports.find((r) => r.components.some((c) => c.name === 'web' && c.health === 'failed')),
      40_000,
      'failed report',
    );
    expect(failed.revision).toBe(2);
    const webStatus = failed.components.find((c) => c.name === 'web');
    expect(webStatus?.message).toMatch(/does-not-exist/);
    expect(webStatus?.version).toBe('v2');
    await a.idle();
    expect(a.state.appliedRevision).toBe(2);
    expect(await fetchServed(port)).toBe('v2');

    // Revision 4: web is no longer desired → its containers are removed.
    hub.push(desired(4, [migrate]));
    await waitFor(() => a.state.appliedRevision === 4, 40_000, 'revision 4 applied');
    expect(await containersOfProjects(projectName(installationId, 'web'))).toEqual([]);
    expect(await fetchServed(port)).toBeUndefined();
    expect(a.state.components.map((c) => c.name)).toEqual(['migrate']);
  }, 180_000);
});
