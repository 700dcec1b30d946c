import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/** Reads all of stdin (`--password-stdin`, `--token-stdin`), without its final newline. */
export async function readStdin(stdin: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed (a password). */
export async function askHidden(question: string, stdin: NodeJS.ReadableStream, stderr: NodeJS.WritableStream): Promise<string> {
  stderr.write(question);
  const muted = new Writable({ write: (_chunk, _enc, done) => done() });
  const rl = createInterface({ input: stdin, output: muted, terminal: true });
  try {
    return await rl.question('');
  } finally {
    rl.close();
    stderr.write('\n');
  }
}
