import os from 'node:os';
import { FlotillaClient } from '../../client.js';
import { cmd, type RunState } from '../command.js';
import { CliError } from '../cli-error.js';
import { configPath, removeConfig, writeConfig } from '../config-file.js';
import { formatFields } from '../format.js';
import { askHidden, readStdin } from '../prompt.js';

const SCOPES = ['viewer', 'release-manager', 'admin'] as const;

/** `flotilla login`: keeps a hub URL and an API token in the config file (0600). */
export function loginCommand(state: RunState, stdin: NodeJS.ReadableStream & { isTTY?: boolean }) {
  return cmd(
    state,
    'login',
    'Store a hub URL and an API token for later commands: a token you have, or one created by signing in',
    (y) =>
      y
        .option('token-stdin', { type: 'boolean', describe: 'Read the API token from stdin' })
        .option('email', { type: 'string', describe: 'Sign in with this e-mail and create a token (password from FLOTILLA_PASSWORD, stdin or a prompt)' })
        .option('password-stdin', { type: 'boolean', describe: 'With --email: read the password from stdin' })
        .option('scope', { choices: SCOPES, describe: 'With --email: the token\'s scope (viewer = read-only, release-manager, admin; default: your role)' })
        .option('expires-in-days', { type: 'number', describe: 'With --email: the token expires after this many days' })
        .example('$0 login --url https://hub.example.com --token-stdin < token.txt', '')
        .example('$0 login --url https://hub.example.com --email me@example.com --scope release-manager', ''),
    async (ctx, args) => {
      const env = ctx.io.env;
      const url = args.url ?? env.FLOTILLA_URL;
      if (!url) throw new CliError('Give the hub: --url https://hub.example.com (or FLOTILLA_URL)');
      const vendorId = args.vendor ?? env.FLOTILLA_VENDOR;
      let token = args.token ?? (args.tokenStdin ? await readStdin(stdin) : undefined);
      if (!token && !args.email) token = env.FLOTILLA_TOKEN;
      if (!token) {
        if (!args.email) throw new CliError('Give --token (or --token-stdin), or --email to sign in and create a token');
        const password = env.FLOTILLA_PASSWORD ?? (args.passwordStdin ? await readStdin(stdin) : stdin.isTTY ? await askHidden('Password: ', stdin, ctx.io.stderr) : undefined);
        if (!password) throw new CliError('No password: set FLOTILLA_PASSWORD, or use --password-stdin');
        const session = new FlotillaClient({ url, ...(vendorId ? { vendorId } : {}) });
        await session.login(args.email, password);
        const created = await session.request('POST /tokens', {
          body: { name: `flotilla CLI on ${os.hostname()}`.slice(0, 100), ...(args.scope ? { role: args.scope } : {}), ...(args.expiresInDays ? { expiresInDays: args.expiresInDays } : {}), ...(vendorId ? { vendorId } : {}) },
        });
        await session.request('POST /auth/logout').catch(() => undefined);
        token = created.token;
      }
      const me = await new FlotillaClient({ url, token, ...(vendorId ? { vendorId } : {}) }).request('GET /me');
      const file = configPath(env);
      await writeConfig(file, { url: url.replace(/\/+$/, ''), token, ...(vendorId ? { vendorId } : {}) });
      ctx.result({ url, user: me.user, memberships: me.memberships, config: file }, () =>
        formatFields({ 'signed in as': me.user.email, hub: url, roles: me.memberships.map((m) => `${m.customerName ?? m.vendorName}: ${m.role}`).join(', '), saved: file }),
      );
    },
  );
}

export function logoutCommand(state: RunState) {
  return cmd(state, 'logout', 'Forget the stored hub URL and token (the token stays valid until revoked)', (y) => y, async (ctx) => {
    const file = configPath(ctx.io.env);
    const removed = await removeConfig(file);
    ctx.result({ removed, config: file }, () => (removed ? `Removed ${file}` : `Nothing stored (${file})`));
  });
}

export function whoamiCommand(state: RunState) {
  return cmd(state, 'whoami', 'The user the token belongs to, and their roles', (y) => y, async (ctx) => {
    const client = await ctx.client();
    const me = await client.request('GET /me');
    ctx.result(me, () => formatFields({ user: me.user.email, hub: client.url, roles: me.memberships.map((m) => `${m.customerName ?? m.vendorName}: ${m.role}`).join(', ') }));
  });
}
