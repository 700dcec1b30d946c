import { spawn } from 'node:child_process';

export interface ExecResult {
  /** Exit code; null when the process was killed (timeout, abort) or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** Written to the child's stdin, then closed (passwords go here, never into argv). */
  stdin?: string;
  timeoutMs?: number;
  /** Kills the child when aborted (agent shutdown, newer desired state). */
  signal?: AbortSignal;
}

/** Runs a command without a shell; never rejects (a missing binary is exit code 127). */
export type Exec = (command: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

/** Output beyond this is dropped from the middle (the start and the end carry what matters). */
const MAX_OUTPUT = 4 * 1024 * 1024;

export const execCommand: Exec = (command, args, options = {}) =>
  new Promise((resolve) => {
    if (options.signal?.aborted === true) {
      resolve({ code: null, stdout: '', stderr: `${command}: not started, the agent is stopping` });
      return;
    }
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out = new Collector();
    const err = new Collector();
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    // A child that exits without reading stdin makes the write fail with EPIPE: harmless.
    child.stdin.on('error', () => undefined);
    child.stdin.end(options.stdin ?? '');

    let stopReason: string | undefined;
    const stop = (reason: string) => {
      stopReason ??= reason;
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 5000).unref();
    };
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => stop(`timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s`), options.timeoutMs);
    const onAbort = () => stop('interrupted: the agent is stopping or a newer desired state arrived');
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (error) => {
      done();
      resolve({ code: 127, stdout: '', stderr: `${command}: ${error.message}` });
    });
    child.on('close', (code) => {
      done();
      const suffix = stopReason === undefined ? '' : `\n${command} ${stopReason}`;
      resolve({ code: stopReason === undefined ? code : null, stdout: out.text(), stderr: `${err.text()}${suffix}` });
    });
  });

class Collector {
  private head: Buffer[] = [];
  private tail: Buffer[] = [];
  private headSize = 0;
  private tailSize = 0;
  private dropped = false;

  push(chunk: Buffer): void {
    if (this.headSize < MAX_OUTPUT / 2) {
      this.head.push(chunk);
      this.headSize += chunk.length;
      return;
    }
    this.tail.push(chunk);
    this.tailSize += chunk.length;
    while (this.tailSize > MAX_OUTPUT / 2 && this.tail.length > 1) {
      const first = this.tail.shift();
      this.tailSize -= first?.length ?? 0;
      this.dropped = true;
    }
  }

  text(): string {
    const head = Buffer.concat(this.head).toString('utf8');
    const tail = Buffer.concat(this.tail).toString('utf8');
    return this.dropped ? `${head}\n[…]\n${tail}` : `${head}${tail}`;
  }
}

/** The error text of a failed CLI call: its stderr (the end, which carries the error), else stdout. */
export function failureText(result: ExecResult, max = 6000): string {
  const text = (result.stderr.trim() === '' ? result.stdout : result.stderr).trim();
  const body = text === '' ? `exit code ${String(result.code)}` : text;
  return body.length <= max ? body : `…${body.slice(body.length - max)}`;
}
