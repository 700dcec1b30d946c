import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runHealthcheck } from './healthcheck-cli.js';
import { checkHeartbeat, Heartbeat, HEARTBEAT_FILE, startHeartbeat } from './heartbeat.js';
import { createLogger } from './logger.js';

const logger = createLogger('silent');
let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'flotilla-heartbeat-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function readBeat(stateDir = dir): Promise<Heartbeat> {
  return Heartbeat.parse(JSON.parse(await readFile(path.join(stateDir, HEARTBEAT_FILE), 'utf8')));
}

async function writeBeat(beat: Heartbeat): Promise<void> {
  await writeFile(path.join(dir, HEARTBEAT_FILE), JSON.stringify(beat));
}

const ago = (now: Date, seconds: number) => new Date(now.getTime() - seconds * 1000).toISOString();

describe('heartbeat writer', () => {
  it('writes at once and on every interval, moves `since` only when the connection changes, removes the file on stop', async () => {
    let connected = false;
    const stateDir = path.join(dir, 'not-yet-created');
    const writer = startHeartbeat(stateDir, () => connected, logger, 20);
    await expect.poll(() => readBeat(stateDir).catch(() => undefined)).toMatchObject({ connected: false });
    const first = await readBeat(stateDir);

    connected = true;
    await expect.poll(() => readBeat(stateDir).then((b) => b.connected)).toBe(true);
    const switched = await readBeat(stateDir);
    expect(Date.parse(switched.since)).toBeGreaterThan(Date.parse(first.since));

    await expect.poll(() => readBeat(stateDir).then((b) => b.at > switched.at)).toBe(true);
    expect((await readBeat(stateDir)).since).toBe(switched.since);

    await writer.stop();
    await expect(readFile(path.join(stateDir, HEARTBEAT_FILE))).rejects.toThrow(/ENOENT/);
  });
});

describe('checkHeartbeat', () => {
  const limits = { maxAgeMs: 30_000, maxOfflineMs: 300_000 };
  const now = new Date('2026-01-01T12:00:00Z');

  it('is unhealthy without a heartbeat or with an unreadable one', async () => {
    expect(await checkHeartbeat(dir, limits, now)).toMatchObject({ healthy: false, message: expect.stringMatching(/not running/) });
    await writeFile(path.join(dir, HEARTBEAT_FILE), '{"at": 1');
    expect(await checkHeartbeat(dir, limits, now)).toMatchObject({ healthy: false, message: expect.stringMatching(/unreadable/) });
  });

  it('is healthy when fresh and connected, unhealthy when stale', async () => {
    await writeBeat({ at: ago(now, 5), connected: true, since: ago(now, 3600) });
    expect(await checkHeartbeat(dir, limits, now)).toEqual({ healthy: true, message: 'connected to the hub' });
    await writeBeat({ at: ago(now, 31), connected: true, since: ago(now, 3600) });
    expect(await checkHeartbeat(dir, limits, now)).toMatchObject({ healthy: false, message: expect.stringMatching(/31 s old/) });
  });

  it('tolerates a disconnection up to maxOfflineMs', async () => {
    await writeBeat({ at: ago(now, 1), connected: false, since: ago(now, 299) });
    expect(await checkHeartbeat(dir, limits, now)).toMatchObject({ healthy: true, message: expect.stringMatching(/connecting/) });
    await writeBeat({ at: ago(now, 1), connected: false, since: ago(now, 301) });
    expect(await checkHeartbeat(dir, limits, now)).toMatchObject({ healthy: false, message: 'not connected to the hub for 301 s' });
  });
});

describe('healthcheck command', () => {
  const run = async (argv: string[], env: Record<string, string> = {}) => {
    const lines: string[] = [];
    const code = await runHealthcheck(argv, { env, cwd: dir, out: (l) => lines.push(l) });
    return { code, output: lines.join('\n') };
  };

  it('reads the state directory from the flag or FLOTILLA_STATE_DIR and exits 0 or 1', async () => {
    const now = new Date();
    await writeBeat({ at: now.toISOString(), connected: false, since: ago(now, 120) });
    expect(await run(['--state-dir', dir])).toMatchObject({ code: 0, output: expect.stringMatching(/^healthy: connecting/) });
    expect(await run([], { FLOTILLA_STATE_DIR: '.' })).toMatchObject({ code: 0 });
    expect(await run(['--max-offline', '60'], { FLOTILLA_STATE_DIR: dir })).toMatchObject({ code: 1, output: expect.stringMatching(/^unhealthy: not connected/) });
    expect(await run([], { FLOTILLA_STATE_DIR: path.join(dir, 'elsewhere') })).toMatchObject({ code: 1 });
  });

  it('exits 2 on bad usage', async () => {
    expect((await run(['--nope'])).code).toBe(2);
    expect(await run(['--max-offline', 'soon'])).toEqual({ code: 2, output: 'healthcheck: --max-offline must be a number of seconds' });
  });
});
