import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A runtime's log stream being followed (e.g. `docker compose logs -f`): lines as they come, which
 * can be paused (the child then blocks on its pipe: backpressure reaches the runtime) and stopped.
 */
export interface LogSource {
  onLine(listener: (line: string) => void): void;
  pause(): void;
  resume(): void;
  /** Ends the follow (kills the process); `ended` then resolves. Idempotent. */
  stop(): void;
  /** Resolves with why the stream ended (stopped, or the process exited on its own). */
  readonly ended: Promise<string>;
}

export interface SpawnLogSourceOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
}

/** Follows a command's stdout and stderr line by line (no shell). */
export function spawnLogSource(command: string, args: readonly string[], options: SpawnLogSourceOptions = {}): LogSource {
  const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const readers = [createInterface({ input: child.stdout, crlfDelay: Infinity }), createInterface({ input: child.stderr, crlfDelay: Infinity })];
  const listeners: ((line: string) => void)[] = [];
  for (const reader of readers) reader.on('line', (line) => listeners.forEach((l) => l(line)));
  let stopped = false;
  const ended = new Promise<string>((resolve) => {
    child.once('error', (err) => resolve(`${command}: ${err.message}`));
    child.once('close', (code, signal) => resolve(stopped ? 'stopped' : `${command} exited (${signal ?? `code ${String(code)}`})`));
  });
  return {
    onLine: (listener) => listeners.push(listener),
    pause: () => readers.forEach((r) => r.pause()),
    resume: () => readers.forEach((r) => r.resume()),
    stop: () => {
      if (stopped) return;
      stopped = true;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    },
    ended,
  };
}
