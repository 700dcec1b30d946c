import { fork, type ChildProcess } from 'node:child_process';

/** A request from the harness to a child process, answered by a Reply with the same id. */
export interface Request {
  id: number;
  cmd: string;
  args: unknown;
}
export interface Reply {
  id: number;
  result?: unknown;
  error?: string;
}

/** Serves requests arriving over the IPC channel of a forked child. */
export function serve(handlers: Record<string, (args: never) => Promise<unknown> | unknown>): void {
  process.on('message', (msg: Request) => {
    const handler = handlers[msg.cmd];
    const reply = (r: Omit<Reply, 'id'>) => process.send?.({ id: msg.id, ...r });
    if (!handler) {
      reply({ error: `unknown command ${msg.cmd}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(msg.args as never))
      .then(
        (result) => reply({ result }),
        (err: unknown) => reply({ error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
      );
  });
}

/** A forked child process spoken to with request/reply messages. */
export class Child {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  readonly process: ChildProcess;

  constructor(private readonly modulePath: string) {
    this.process = fork(modulePath, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: ['--max-old-space-size=4096', '--expose-gc'] });
    this.process.on('message', (msg: Reply) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (msg.error !== undefined) p.reject(new Error(msg.error));
      else p.resolve(msg.result);
    });
    this.process.on('exit', (code) => {
      for (const p of this.pending.values()) p.reject(new Error(`child exited with ${code}`));
      this.pending.clear();
    });
  }

  call<T>(cmd: string, args: unknown = {}): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.process.exitCode !== null || this.process.signalCode !== null || !this.process.connected) {
        reject(new Error(`child ${this.modulePath} is not running (exit code ${this.process.exitCode})`));
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.process.send({ id, cmd, args } satisfies Request, (err) => {
        if (!err) return;
        this.pending.delete(id);
        reject(err);
      });
    });
  }

  async kill(): Promise<void> {
    if (this.process.exitCode !== null || this.process.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.process.once('exit', () => resolve()));
    this.process.kill('SIGKILL');
    await exited;
  }
}
