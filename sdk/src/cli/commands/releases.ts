import type { Release } from '@flotilla/protocol';
import { cmd, group, type Command, type RunState } from '../command.js';
import { formatFields, formatTable } from '../format.js';
import { parseStage } from '../parse.js';
import { readFlagFile } from '../read-file.js';
import { resolveRelease, resolveStages, resolveTrack } from '../resolve.js';

const RELEASE_ARG = 'Release: TRACK@VERSION (e.g. Shop@1.2.0) or its id';

function releaseFields(r: Release) {
  return { release: r.version, id: r.id, status: r.status, locked: r.locked, required: r.required, deployment: r.deployment, stages: r.stages.length };
}

/** `releases lock|unlock|hold|resume|rescind|require|unrequire <release>`: one action each. */
function transition(state: RunState, action: 'lock' | 'unlock' | 'hold' | 'resume' | 'rescind' | 'require' | 'unrequire', describe: string): Command {
  return cmd(
    state,
    `${action} <release>`,
    describe,
    (y) => y.positional('release', { type: 'string', demandOption: true, describe: RELEASE_ARG }),
    async (ctx, args) => {
      const client = await ctx.client();
      const release = await resolveRelease(client, args.release);
      const r = await client.request(`POST /releases/:id/${action}`, { params: { id: release.id } });
      ctx.result(r, () => formatFields(releaseFields(r)));
    },
  );
}

/** `flotilla releases create|list|show|lock|unlock|hold|resume|rescind`. */
export function releasesCommand(state: RunState) {
  return group('releases', 'Releases of a track: components pinned in stages, then locked and rolled out', [
    cmd(
      state,
      'create',
      'Create a draft release; each --stage is one stage, in release order',
      (y) =>
        y
          .option('track', { type: 'string', demandOption: true, describe: 'Track name or id' })
          .option('version', { type: 'string', demandOption: true, describe: 'The release version (semver)' })
          .option('stage', { type: 'string', array: true, demandOption: true, describe: 'APP@VERSION[,APP@VERSION…]: one stage (repeat, in order)' })
          .option('name', { type: 'string', describe: 'A display name' })
          .option('notes-file', { type: 'string', describe: 'Release notes (markdown file)' })
          .option('checklist', { type: 'string', array: true, describe: 'A checklist item to tick before locking (repeatable)' })
          .option('required', { type: 'boolean', describe: 'Required: installations behind it get it first, rollbacks never go below it' })
          .example('$0 releases create --track Shop --version 1.2.0 --stage db@3.1.0 --stage shop@1.2.0,web@2.0.0 --notes-file NOTES.md', ''),
      async (ctx, args) => {
        const stages = args.stage.map(parseStage);
        const notes = args.notesFile ? await readFlagFile(args.notesFile, '--notes-file') : undefined;
        const client = await ctx.client();
        const track = await resolveTrack(client, args.track);
        const body = {
          version: args.version,
          stages: await resolveStages(client, stages),
          ...(args.name ? { name: args.name } : {}),
          ...(notes !== undefined ? { notes } : {}),
          ...(args.checklist?.length ? { checklist: args.checklist } : {}),
          ...(args.required !== undefined ? { required: args.required } : {}),
        };
        const r = await client.request('POST /tracks/:id/releases', { params: { id: track.id }, body });
        ctx.result(r, () => formatFields({ created: 'release', track: track.name, ...releaseFields(r) }));
      },
    ),
    cmd(
      state,
      'list',
      "List a track's releases, newest first",
      (y) => y.option('track', { type: 'string', demandOption: true, describe: 'Track name or id' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const track = await resolveTrack(client, args.track);
        const releases: Release[] = [];
        for await (const r of client.paginate('GET /tracks/:id/releases', { params: { id: track.id } })) releases.push(r);
        ctx.result(releases, () => formatTable(releases.map(releaseFields), ['release', 'status', 'required', 'deployment', 'stages', 'id']));
      },
    ),
    cmd(
      state,
      'show <release>',
      'Show a release',
      (y) => y.positional('release', { type: 'string', demandOption: true, describe: RELEASE_ARG }),
      async (ctx, args) => {
        const r = await resolveRelease(await ctx.client(), args.release);
        ctx.result(r, () => formatFields({ ...releaseFields(r), name: r.name, created: r.createdAt, 'locked at': r.lockedAt }));
      },
    ),
    transition(state, 'lock', 'Lock a draft release (draft → ready): it can then be rolled out'),
    transition(state, 'unlock', 'Unlock a release never deployed (ready → draft)'),
    transition(state, 'hold', 'Hold a release: no new rollouts, running ones start no new installations'),
    transition(state, 'resume', 'Resume a held release (hold → ready)'),
    transition(state, 'rescind', 'Withdraw a deployed release for good'),
    transition(state, 'require', 'Mark a release required: installations behind it get it first (rollouts step through it), rollbacks never go below it'),
    transition(state, 'unrequire', 'A release is no longer required'),
  ]);
}
