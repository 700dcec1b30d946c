import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { waitFor } from './helpers.js';

const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));


export interface HubProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** SIGKILL: no shutdown code runs, as in a crash. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Runs the built hub (`dist/src/main.js`) as its own process, ready when /readyz answers 200. */
export async function spawnHub(opts: { port: number; cwd: string; env: Record<string, string> }): Promise<HubProcess> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !['DATABASE_URL', 'REDIS_URL'].includes(k)) env[k] = v;
  Object.assign(env, { PORT: String(opts.port), HOST: '127.0.0.1', PUBLIC_URL: `http://127.0.0.1:${opts.port}`, LOG_LEVEL: 'warn', ...opts.env });
  const child = spawn(process.execPath, [MAIN], { cwd: opts.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-1_000_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-1_000_000)));
  const url = `http://127.0.0.1:${opts.port}`;
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`hub exited early:\n${out}`);
      const res = await fetch(`${url}/readyz`).catch(() => undefined);
      return res?.status === 200 ? true : undefined;
    },
    90_000,
    'the hub process to be ready',
  );
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    url,
    child,
    output: () => out,
    async kill() {
      child.kill('SIGKILL');
      await exited();
    },
    async stop() {
      child.kill('SIGTERM');
      await exited();
    },
  };
}
