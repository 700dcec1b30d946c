import { ApplicationKind, type Application } from '@flotilla/protocol';
import { cmd, group, type RunState } from '../command.js';
import { formatFields, formatTable } from '../format.js';

/** `flotilla apps list|create`. */
export function appsCommand(state: RunState) {
  return group('apps', 'Applications (the deployable components)', [
    cmd(state, 'list', 'List the applications', (y) => y, async (ctx) => {
      const client = await ctx.client();
      const apps: Application[] = [];
      for await (const a of client.paginate('GET /applications', { query: { limit: 500 } })) apps.push(a);
      ctx.result(apps, () => formatTable(apps.map((a) => ({ name: a.name, kind: a.kind, id: a.id, description: a.description })), ['name', 'kind', 'id', 'description']));
    }),
    cmd(
      state,
      'create <name>',
      'Create an application',
      (y) =>
        y
          .positional('name', { type: 'string', demandOption: true, describe: 'Its name, unique in the vendor (e.g. shop)' })
          .option('kind', { choices: ApplicationKind.options, default: 'compose' as const, describe: 'What it deploys' })
          .option('description', { type: 'string', describe: 'A description' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const app = await client.request('POST /applications', { body: { name: args.name, kind: args.kind, ...(args.description ? { description: args.description } : {}) } });
        ctx.result(app, () => formatFields({ created: 'application', name: app.name, kind: app.kind, id: app.id }));
      },
    ),
  ]);
}
