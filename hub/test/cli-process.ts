import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The built `flotilla` CLI, through its committed bin shim, as a pipeline runs it. */
export const FLOTILLA_BIN = fileURLToPath(new URL('../../sdk/bin/flotilla.js', import.meta.url));

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `flotilla <args>` as a child process with only the environment given (plus PATH), stdin
 * from `input` (or closed), and answers its exit code and output. No TTY: progress is one line per event.
 */
export function runFlotilla(args: readonly string[], env: Record<string, string>, opts: { input?: string; cwd?: string; timeoutMs?: number } = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [FLOTILLA_BIN, ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
      cwd: opts.cwd ?? process.cwd(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** Parses the JSON a `--output json` run printed, failing with the run's output when it is not. */
export function jsonOf<T>(run: CliRun): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n--- stderr ---\n${run.stderr}`);
  }
}
