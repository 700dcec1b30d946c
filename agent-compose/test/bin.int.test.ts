import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readPackageVersion } from '@flotilla/agent-core';
import { FakeHub, waitFor } from '@flotilla/agent-core/test/fake-hub';
import { assertDockerAvailable } from './images.js';

const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url));
let hub: FakeHub | undefined;
let child: ChildProcess | undefined;
let stateDir: string | undefined;

beforeAll(async () => {
  if (!existsSync(BIN)) throw new Error(`${BIN} is missing: run "npm run build" first`);
  await assertDockerAvailable();
});

afterEach(async () => {
  child?.kill('SIGKILL');
  child = undefined;
  await hub?.close();
  hub = undefined;
  if (stateDir !== undefined) await rm(stateDir, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string>): { proc: ChildProcess; exit: Promise<{ code: number | null; stderr: string }> } {
  const proc = spawn(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  proc.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<{ code: number | null; stderr: string }>((resolve) => proc.on('exit', (code) => resolve({ code, stderr })));
  return { proc, exit };
}

describe('flotilla-agent-compose bin', () => {
  it('prints help and exits 0', async () => {
    const { exit } = run(['--help'], {});
    expect((await exit).code).toBe(0);
  });

  it('exits 2 naming the missing configuration', async () => {
    const { exit } = run([], {});
    const result = await exit;
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/FLOTILLA_HUB_URL \(--hub-url\) is required/);
  });

  it('connects with the handshake, then exits 0 within 10 s of SIGTERM', async () => {
    hub = await FakeHub.start();
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-bin-'));
    const started = run(['--hub-url', hub.url, '--state-dir', stateDir, '--log-level', 'warn'], {
      FLOTILLA_AGENT_ID: 'agent-1',
      FLOTILLA_AGENT_SECRET: 'secret-1',
    });
    child = started.proc;
    const hello = await waitFor(() => hub?.hellos[0], 20_000, 'hello from the bin');
    expect(hello.host.runtime).toMatch(/^docker /);
    expect(hub.auths[0]).toMatchObject({ agentId: 'agent-1', kind: 'compose', agentVersion: readPackageVersion(new URL('../package.json', import.meta.url)) });
    const t0 = Date.now();
    started.proc.kill('SIGTERM');
    const result = await started.exit;
    expect(result.code).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
  });
});
