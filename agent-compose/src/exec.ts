import { spawn } from 'node:child_process';

export interface ExecResult {
  /** Exit code; null when the process was killed (timeout) or could not start. */
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

/** Runs a command without a shell; never rejects (a missing binary is exit code 127). */
export type Exec = (command: string, args: readonly string[], options?: ExecOptions) => Promise<ExecResult>;

/** Output beyond this is dropped from the middle (the start and the end are what matter). */
const MAX_OUTPUT = 256 * 1024;

export const execCommand: Exec = (command, args, options = {}) =>
  new Promise((resolve) => {
    const child = spawn(command, [...args], {
      cwd: options.cwd,
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = new Collector();
    const err = new Collector();
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    let timedOut = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 5000).unref();
          }, options.timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout: '', stderr: `${command}: ${error.message}` });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      const suffix = timedOut ? `\n${command} timed out after ${Math.round((options.timeoutMs ?? 0) / 1000)} s` : '';
      resolve({ code: timedOut ? null : code, stdout: out.text(), stderr: `${err.text()}${suffix}` });
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
