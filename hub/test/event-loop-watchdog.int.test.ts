import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

// The stall watchdog of a process whose event loop never gets round again (as when the hub spun in
// microtasks): only its thread can still log, and it kills the process so that it is restarted.

const EVENT_LOOP = fileURLToPath(new URL('../dist/src/infra/event-loop.js', import.meta.url));

function runStuck(exitMs: number, spinMs: number): Promise<{ lines: { level: number; msg: string; blockedMs?: number }[]; signal: NodeJS.Signals | null; code: number | null }> {
  const script = `
    const { startStallWatchdog } = await import(${JSON.stringify(EVENT_LOOP)});
    await startStallWatchdog({ reportMs: 500, exitMs: ${exitMs}, levelVal: 30 });
    setTimeout(async () => {
      const end = Date.now() + ${spinMs};
      while (Date.now() < end) await Promise.resolve();
      setTimeout(() => process.exit(0), 500);
    }, 300);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  return new Promise((resolve) =>
    child.on('exit', (code, signal) =>
      resolve({ lines: out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { level: number; msg: string; blockedMs?: number }), signal, code }),
    ),
  );
}

describe('event loop stall watchdog', () => {
  it('logs a loop blocked in microtasks while it is blocked, and again once it runs', async () => {
    const { lines, code } = await runStuck(0, 2500);
    expect(code).toBe(0);
    const blocked = lines.filter((l) => l.msg === 'event loop blocked');
    expect(blocked.length).toBeGreaterThanOrEqual(2);
    expect(blocked[0]).toMatchObject({ level: 50, blockedMs: expect.any(Number) });
    expect(lines.at(-1)).toMatchObject({ level: 40, msg: 'event loop running again' });
  });

  it('kills a process whose loop stays blocked past the limit', async () => {
    const { lines, signal } = await runStuck(1500, 60_000);
    expect(signal).toBe('SIGKILL');
    expect(lines.at(-1)).toMatchObject({ level: 60, msg: expect.stringContaining('killing the process') });
  });
});
