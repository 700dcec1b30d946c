import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readPackageVersion } from '@flotilla/agent-core';
import { FakeHub, waitFor } from '@flotilla/agent-core/test/fake-hub';
import { FakeCluster } from './fake-cluster.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let hub: FakeHub | undefined;
let child: ChildProcess | undefined;
let stateDir: string | undefined;
let cluster: FakeCluster | undefined;

beforeAll(() => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first`);
});

afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await hub?.close();
  hub = undefined;
  await cluster?.dispose();
  cluster = undefined;
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): { proc: ChildProcess; exit: Promise<{ code: number | null; stderr: string }> } {
  const proc = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => proc.on('exit', (code) => resolve({ code, stderr })));
  return { proc, exit };
}

describe('flotilla-agent-helm bin', () => {
  it('prints help and exits 0', async () => {
    expect((await run(['--help'], {}).exit).code).toBe(0);
  });

  it('exits 2 naming a bad setting of its own or a missing common one', async () => {
    const bad = await run([], { FLOTILLA_NAMESPACE: 'No_Such' }).exit;
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/FLOTILLA_NAMESPACE must be a Kubernetes name/);
    const missing = await run([], {}).exit;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/FLOTILLA_HUB_URL \(--hub-url\) is required/);
  });

  it('connects as a helm agent reporting helm and kubectl versions, then exits 0 on SIGTERM', async () => {
    hub = await FakeHub.start();
    cluster = await FakeCluster.create();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-helm-bin-'));
    const started = run(['--hub-url', hub.url, '--state-dir', stateDir, '--log-level', 'warn'], {
      ...cluster.env(),
      FLOTILLA_AGENT_ID: 'agent-1',
      FLOTILLA_AGENT_SECRET: 'secret-1',
      FLOTILLA_NAMESPACE: 'shop',
    });
    child = started.proc;
    const hello = await waitFor(() => hub?.hellos[0], 20_000, 'hello from the bin');
    expect(hello.host.runtime).toBe('helm v3.16.4 / kubectl v1.31.4');
    expect(hub.auths[0]).toMatchObject({ agentId: 'agent-1', kind: 'helm', agentVersion: readPackageVersion(new URL('../package.json', import.meta.url)) });
    started.proc.kill('SIGTERM');
    expect((await started.exit).code).toBe(0);
  });

  it('refuses to start without a usable helm', async () => {
    hub = await FakeHub.start();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-helm-bin-'));
    const result = await run(['--hub-url', hub.url, '--state-dir', stateDir], { PATH: '/nonexistent', FLOTILLA_AGENT_ID: 'a', FLOTILLA_AGENT_SECRET: 's' }).exit;
    expect(result.code).toBe(1);
  });
});
