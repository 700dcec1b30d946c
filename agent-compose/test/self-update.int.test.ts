import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger, DriverError, type DriverContext } from '@flotilla/agent-core';
import type { DesiredComponent } from '@flotilla/protocol';
import { ComposeDriver } from '../src/compose-driver.js';
import { execCommand } from '@flotilla/agent-core';
import { projectName } from '../src/project.js';
import { parseSelfCompose, selfComposeFile, selfComposePath, SELF_COMPOSE_ENV, type SelfComposeDocument } from '../src/self-compose.js';
import { runSelfUpdateApply } from '../src/self-update-apply.js';
import { fakeDockerEnv, killSpawned, readFakeDockerLog } from './fake-docker.js';

/** The compose driver's command hooks and the self-update path, against a fake `docker` that records argv. */

const logger = createLogger(process.env.TEST_LOG_LEVEL === undefined ? 'silent' : 'debug');
let dir: string;
let logFile: string;
let ctx: DriverContext;

const self: SelfComposeDocument = {
  name: 'flotilla-agent-abc',
  services: {
    'flotilla-agent': {
      image: 'flotilla/agent-compose:0.1.0',
      user: '0:0',
      restart: 'unless-stopped',
      environment: { FLOTILLA_HUB_URL: 'http://hub', FLOTILLA_AGENT_ID: 'agt_1', FLOTILLA_AGENT_SECRET: 's', FLOTILLA_STATE_DIR: '/var/lib/flotilla-agent' },
      volumes: ['/var/run/docker.sock:/var/run/docker.sock'],
    },
  },
};

const web: DesiredComponent = { name: 'web', kind: 'compose', version: '1', stage: 1, spec: { file: 'services:\n  web:\n    image: x\n', env: 'PORT=1\n' } };

function driver(extra: Record<string, string> = {}, withSelf = true): ComposeDriver {
  return new ComposeDriver({ stateDir: dir, logger, env: fakeDockerEnv(logFile, extra), ...(withSelf ? { self } : {}) });
}

const calls = async () => (await readFakeDockerLog(logFile)).calls;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-fake-docker-'));
  logFile = path.join(dir, 'docker.log');
  ctx = { installationId: 'abcdef0123', logger, signal: new AbortController().signal };
});
afterEach(async () => {
  await killSpawned(logFile);
  await rm(dir, { recursive: true, force: true });
});

describe('compose command hooks', () => {
  it('restarts and collects logs of an applied component with its project, files and tail', async () => {
    const d = driver();
    await d.init(ctx);
    await d.apply(web, { ...ctx, revision: 1, previous: undefined });
    await d.restart(web, ctx);
    expect(await d.logs(web, 50, ctx)).toEqual(['web-1  | hello from the fake', 'web-1  | second line']);
    const project = projectName(ctx.installationId, 'web');
    const file = path.join(dir, 'components', 'web', 'compose.yaml');
    const envFile = path.join(dir, 'components', 'web', '.env');
    const composeCalls = (await calls()).filter((c) => c[0] === 'compose' && c[1] === '-p');
    expect(composeCalls).toEqual([
      ['compose', '-p', project, '-f', file, '--env-file', envFile, 'up', '-d', '--remove-orphans'],
      ['compose', '-p', project, '-f', file, '--env-file', envFile, 'restart'],
      ['compose', '-p', project, '-f', file, '--env-file', envFile, 'logs', '--no-color', '--tail', '50'],
    ]);
  });

  it('recreates the containers on a forced apply (redeploy)', async () => {
    const d = driver();
    await d.apply(web, { ...ctx, revision: 1, previous: web, force: true });
    expect((await calls()).find((c) => c.includes('up'))?.slice(-4)).toEqual(['up', '-d', '--remove-orphans', '--force-recreate']);
  });

  it('reports compose’s own error text, and a component never applied here', async () => {
    const d = driver({ DOCKER_FAKE_FAIL: 'restart' });
    await d.apply(web, { ...ctx, revision: 1, previous: undefined });
    await expect(d.restart(web, ctx)).rejects.toThrow('fake compose: restart failed');
    await expect(d.logs({ ...web, name: 'api' }, 10, ctx)).rejects.toThrow(new DriverError('component "api" has not been applied on this host'));
  });
});

describe('self-update', () => {
  it('writes its own compose file at start and starts the updater container from the new image', async () => {
    const d = driver({ DOCKER_FAKE_NO_SPAWN: '1' });
    await d.init(ctx);
    const written = parseSelfCompose(await readFile(selfComposePath(dir), 'utf8'), 'file');
    expect(written.services['flotilla-agent'].environment?.[SELF_COMPOSE_ENV]).toBe(JSON.stringify(self));
    await d.selfUpdate('flotilla/agent-compose:0.2.0', ctx);
    const run = (await calls()).find((c) => c[0] === 'run');
    expect(run).toEqual([
      'run', '-d', '--rm',
      '--name', expect.stringMatching(/^flotilla-agent-abc-updater-[0-9a-f]{6}$/) as string,
      '--label', 'dev.flotilla.role=agent-updater',
      '-v', '/var/run/docker.sock:/var/run/docker.sock',
      '-v', `${dir}:${dir}`,
      '--entrypoint', 'flotilla-agent-compose',
      'flotilla/agent-compose:0.2.0',
      'self-update-apply', '--file', selfComposePath(dir), '--image', 'flotilla/agent-compose:0.2.0',
    ]);
  });

  it('fails with docker’s error when the updater cannot start, and without the manifest’s document', async () => {
    await expect(driver({ DOCKER_FAKE_FAIL: 'run' }).selfUpdate('flotilla/agent-compose:9', ctx)).rejects.toThrow('fake docker: run failed: no such image');
    await expect(driver({}, false).selfUpdate('flotilla/agent-compose:9', ctx)).rejects.toThrow(/not started from the hub's install manifest/);
  });

  it('self-update-apply points the file at the new image and runs compose up for the project (v2, else v1)', async () => {
    for (const [variant, extra] of [['v2', {}], ['v1', { DOCKER_FAKE_NO_PLUGIN: '1' }]] as const) {
      const file = path.join(dir, `compose-${variant}.json`);
      await writeFile(file, selfComposeFile(self));
      const out: string[] = [];
      const code = await runSelfUpdateApply(['--file', file, '--image', 'flotilla/agent-compose:0.2.0'], { exec: execCommand, env: fakeDockerEnv(logFile, { DOCKER_FAKE_NO_SPAWN: '1', ...extra }), out: (l) => out.push(l) });
      expect(code, out.join('\n')).toBe(0);
      const doc = parseSelfCompose(await readFile(file, 'utf8'), 'file');
      expect(doc.services['flotilla-agent'].image).toBe('flotilla/agent-compose:0.2.0');
      expect(doc.services['flotilla-agent'].user).toBe('0:0');
      const up = (await calls()).filter((c) => c.includes('up')).at(-1);
      expect(up).toEqual(variant === 'v2' ? ['compose', '-p', 'flotilla-agent-abc', '-f', file, 'up', '-d'] : ['docker-compose', '-p', 'flotilla-agent-abc', '-f', file, 'up', '-d']);
    }
  });

  it('self-update-apply refuses bad usage and a file that is not the agent’s, and reports a failed up', async () => {
    const io = { exec: execCommand, env: fakeDockerEnv(logFile, { DOCKER_FAKE_NO_SPAWN: '1' }), out: () => undefined };
    expect(await runSelfUpdateApply(['--image', 'x:1'], io)).toBe(2);
    const other = path.join(dir, 'other.json');
    await writeFile(other, JSON.stringify({ services: { web: { image: 'nginx' } } }));
    const out: string[] = [];
    expect(await runSelfUpdateApply(['--file', other, '--image', 'x:1'], { ...io, out: (l) => out.push(l) })).toBe(1);
    expect(out.join('\n')).toContain("is not the agent's compose document");
    const file = path.join(dir, 'agent.json');
    await writeFile(file, selfComposeFile(self));
    expect(await runSelfUpdateApply(['--file', file, '--image', 'x:1'], { ...io, env: fakeDockerEnv(logFile, { DOCKER_FAKE_NO_SPAWN: '1', DOCKER_FAKE_FAIL: 'up' }) })).toBe(1);
  });
});
