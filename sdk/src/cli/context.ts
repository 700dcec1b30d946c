import { FlotillaClient } from '../client.js';
import { LiveClient } from '../live.js';
import { CliError, EXIT } from './cli-error.js';
import { configPath, readConfig } from './config-file.js';

/** The options every command takes. */
export interface GlobalArgs {
  url?: string;
  token?: string;
  vendor?: string;
  output: 'text' | 'json';
}

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

/**
 * What a command works with: the hub client (flags, then FLOTILLA_URL/FLOTILLA_TOKEN, then the
 * file `flotilla login` wrote), and where answers go: results to stdout (JSON with --output json),
 * progress and messages to stderr, so that stdout stays parseable in a pipeline.
 */
export class CliContext {
  private clientPromise: Promise<FlotillaClient> | undefined;
  private readonly lives: LiveClient[] = [];

  constructor(
    readonly args: GlobalArgs,
    readonly io: CliIo,
  ) {}

  get json(): boolean {
    return this.args.output === 'json';
  }

  client(): Promise<FlotillaClient> {
    this.clientPromise ??= this.makeClient();
    return this.clientPromise;
  }

  async live(): Promise<LiveClient> {
    const live = new LiveClient(await this.client());
    this.lives.push(live);
    return live;
  }

  /** A result: the value as JSON, or its text form. */
  result(value: unknown, text: () => string): void {
    this.io.stdout.write(`${this.json ? JSON.stringify(value, null, 2) : text()}\n`);
  }

  /** A message for the human watching (stderr): never mixed into the results. */
  info(text: string): void {
    this.io.stderr.write(`${text}\n`);
  }

  close(): void {
    for (const l of this.lives) l.close();
  }

  private async makeClient(): Promise<FlotillaClient> {
    const env = this.io.env;
    const stored = await readConfig(configPath(env));
    const url = this.args.url ?? env.FLOTILLA_URL ?? stored?.url;
    // The stored token goes only to the hub it was stored for.
    const storedToken = stored && url && stored.url === url.replace(/\/+$/, '') ? stored.token : undefined;
    const token = this.args.token ?? env.FLOTILLA_TOKEN ?? storedToken;
    if (!url) throw new CliError('No hub: set FLOTILLA_URL (and FLOTILLA_TOKEN), pass --url, or run `flotilla login`', EXIT.failed);
    if (!token) throw new CliError(`No API token for ${url}: set FLOTILLA_TOKEN, pass --token, or run \`flotilla login\``, EXIT.failed);
    const vendorId = this.args.vendor ?? env.FLOTILLA_VENDOR ?? stored?.vendorId;
    return new FlotillaClient({ url, token, ...(vendorId ? { vendorId } : {}) });
  }
}
