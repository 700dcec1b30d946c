import type { Track } from '@flotilla/protocol';
import { cmd, group, type RunState } from '../command.js';
import { formatFields, formatTable } from '../format.js';
import { resolveApplication } from '../resolve.js';

/** `flotilla tracks list|create`: the product lines releases belong to. */
export function tracksCommand(state: RunState) {
  return group('tracks', 'Release tracks (products grouping applications)', [
    cmd(state, 'list', 'List the tracks', (y) => y, async (ctx) => {
      const client = await ctx.client();
      const tracks: Track[] = [];
      for await (const t of client.paginate('GET /tracks')) tracks.push(t);
      ctx.result(tracks, () => formatTable(tracks.map((t) => ({ name: t.name, applications: t.applicationIds.length, id: t.id })), ['name', 'applications', 'id']));
    }),
    cmd(
      state,
      'create <name>',
      'Create a track of applications',
      (y) =>
        y
          .positional('name', { type: 'string', demandOption: true, describe: 'Its name (e.g. Shop)' })
          .option('app', { type: 'string', array: true, default: [] as string[], describe: 'An application in it, name or id (repeatable)' })
          .option('description', { type: 'string', describe: 'A description' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const applicationIds: string[] = [];
        for (const ref of args.app) applicationIds.push((await resolveApplication(client, ref)).id);
        const t = await client.request('POST /tracks', { body: { name: args.name, applicationIds, ...(args.description ? { description: args.description } : {}) } });
        ctx.result(t, () => formatFields({ created: 'track', name: t.name, id: t.id, applications: t.applicationIds.length }));
      },
    ),
  ]);
}
