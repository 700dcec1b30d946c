import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs the docker CLI; on failure the error carries the end of its output (a build's log is on stdout). */
export async function docker(args: string[], timeoutMs = 60_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync('docker', args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const stdout = err instanceof Error && 'stdout' in err && typeof err.stdout === 'string' ? err.stdout : '';
    throw new Error(`${err instanceof Error ? err.message : String(err)}\n${stdout.slice(-4000)}`, { cause: err });
  }
}

/** Runs the docker CLI with `input` on stdin (for `docker import -`). */
export function dockerWithInput(args: string[], input: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('docker', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    input.pipe(child.stdin);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(`docker ${args.join(' ')} exited ${code}: ${err}`))));
  });
}

/** Removes images and containers, ignoring ones already gone (cleanup must not mask a test failure). */
export async function removeQuietly(kind: 'container' | 'image', ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await docker(kind === 'container' ? ['rm', '-f', ...ids] : ['rmi', ...ids]).catch(() => undefined);
}
