import type { CreateRolloutBody, Customer, Rollout } from '@flotilla/protocol';
import { cmd, group, type Command, type RunState } from '../command.js';
import { formatFields, formatTable } from '../format.js';
import { followToEnd } from '../follow.js';
import { parseDuration, parseWaves } from '../parse.js';
import { pickOne } from '../pick.js';
import { listInstallations, pickInstallation, resolveRelease } from '../resolve.js';
import type { FlotillaClient } from '../../client.js';

type Strategy = NonNullable<CreateRolloutBody['strategy']>;

interface StrategyFlags {
  waves?: string;
  maxParallel?: number;
  soak?: string;
  healthTimeout?: string;
  offlineTimeout?: string;
  failurePolicy?: Strategy['failurePolicy'];
  maxFailures?: number;
  ignoreMaintenanceWindows?: boolean;
  requireApproval?: boolean;
}

/** The strategy from the flags given; the hub's defaults fill the rest. Pure. */
export function strategyOf(f: StrategyFlags): Strategy {
  return {
    ...(f.waves !== undefined ? { waves: parseWaves(f.waves) } : {}),
    ...(f.maxParallel !== undefined ? { maxParallel: f.maxParallel } : {}),
    ...(f.soak !== undefined ? { soakSeconds: parseDuration(f.soak, '--soak') } : {}),
    ...(f.healthTimeout !== undefined ? { healthTimeoutSeconds: parseDuration(f.healthTimeout, '--health-timeout') } : {}),
    ...(f.offlineTimeout !== undefined ? { offlineTimeoutSeconds: parseDuration(f.offlineTimeout, '--offline-timeout') } : {}),
    ...(f.failurePolicy !== undefined ? { failurePolicy: f.failurePolicy } : {}),
    ...(f.maxFailures !== undefined ? { maxFailures: f.maxFailures } : {}),
    ...(f.ignoreMaintenanceWindows ? { respectMaintenanceWindows: false } : {}),
    ...(f.requireApproval ? { requireCustomerApproval: true } : {}),
  };
}

async function targetsOf(client: FlotillaClient, installations: readonly string[], customers: readonly string[]): Promise<CreateRolloutBody['targets']> {
  if (installations.length === 0 && customers.length === 0) return { all: true };
  const targets: CreateRolloutBody['targets'] = {};
  if (installations.length > 0) {
    const known = await listInstallations(client);
    targets.installationIds = installations.map((ref) => pickInstallation(known, ref).id);
  }
  if (customers.length > 0) {
    const known: Customer[] = [];
    for await (const c of client.paginate('GET /customers', { query: { limit: 500 } })) known.push(c);
    targets.customerIds = customers.map((ref) => pickOne('customer', ref, known.map((c) => ({ item: c, id: c.id, names: [c.name], label: c.name }))).id);
  }
  return targets;
}

const rolloutFields = (r: Rollout) => ({
  rollout: r.id,
  release: r.releaseVersion,
  status: r.status,
  waves: r.waves.map((w) => `${w.finished}/${w.total}`).join(' → '),
  message: r.message,
});

function rolloutAction(state: RunState, action: 'pause' | 'resume' | 'abort', describe: string): Command {
  return cmd(
    state,
    `${action} <rollout>`,
    describe,
    (y) => y.positional('rollout', { type: 'string', demandOption: true, describe: 'Rollout id' }),
    async (ctx, args) => {
      const r = await (await ctx.client()).request(`POST /rollouts/:id/${action}`, { params: { id: args.rollout } });
      ctx.result(r, () => formatFields(rolloutFields(r)));
    },
  );
}

/** `flotilla rollouts start|status|watch|list|pause|resume|abort`. */
export function rolloutsCommand(state: RunState) {
  return group('rollouts', 'Rollouts: a release to many installations, in waves', [
    cmd(
      state,
      'start',
      'Start a rollout of a locked release (all installations of its track unless --installation or --customer)',
      (y) =>
        y
          .option('release', { type: 'string', demandOption: true, describe: 'Release: TRACK@VERSION or id' })
          .option('installation', { type: 'string', array: true, default: [] as string[], describe: 'Only these installations (NAME, CUSTOMER/NAME or id; repeatable)' })
          .option('customer', { type: 'string', array: true, default: [] as string[], describe: "Only these customers' installations (name or id; repeatable)" })
          .option('waves', { type: 'string', describe: 'Waves: counts and percentages of the rest, e.g. 1,25%,100%' })
          .option('max-parallel', { type: 'number', describe: 'Installations updating at once within a wave' })
          .option('soak', { type: 'string', describe: 'Wait after a healthy wave (e.g. 5m)' })
          .option('health-timeout', { type: 'string', describe: 'A stage not healthy by then has failed (e.g. 10m)' })
          .option('offline-timeout', { type: 'string', describe: 'Skip an installation whose agent stays offline this long (e.g. 1h)' })
          .option('failure-policy', { choices: ['pause', 'rollback', 'continue'] as const, describe: 'On a failed installation' })
          .option('max-failures', { type: 'number', describe: 'With --failure-policy continue: failures tolerated' })
          .option('ignore-maintenance-windows', { type: 'boolean', describe: 'Update outside maintenance windows too' })
          .option('require-approval', { type: 'boolean', describe: 'Each customer approves its update in the portal' })
          .option('wait', { type: 'boolean', default: false, describe: 'Follow the rollout live; exit 0 completed, 1 failed or rolled back, 2 paused' })
          .option('wait-timeout', { type: 'string', describe: 'With --wait: stop waiting after this long (exit 1; the rollout goes on)' })
          .example('$0 rollouts start --release Shop@1.2.0 --waves 1,25%,100% --max-parallel 10 --soak 5m --wait', ''),
      async (ctx, args) => {
        const strategy = strategyOf(args);
        const waitTimeout = args.waitTimeout ? parseDuration(args.waitTimeout, '--wait-timeout') : undefined;
        const client = await ctx.client();
        const release = await resolveRelease(client, args.release);
        const targets = await targetsOf(client, args.installation, args.customer);
        const r = await client.request('POST /rollouts', { body: { releaseId: release.id, targets, strategy } });
        if (!args.wait) {
          ctx.result(r, () => formatFields(rolloutFields(r)));
          return;
        }
        ctx.info(`Rollout ${r.id} of ${release.version} to ${r.targets.length} installation(s) in ${r.waves.length} wave(s)`);
        return followToEnd(ctx, r.id, waitTimeout ? { timeoutSeconds: waitTimeout } : {});
      },
    ),
    cmd(
      state,
      'watch <rollout>',
      'Follow a rollout live until it finishes or pauses (exit codes as start --wait)',
      (y) => y.positional('rollout', { type: 'string', demandOption: true, describe: 'Rollout id' }).option('wait-timeout', { type: 'string', describe: 'Stop waiting after this long' }),
      async (ctx, args) => followToEnd(ctx, args.rollout, args.waitTimeout ? { timeoutSeconds: parseDuration(args.waitTimeout, '--wait-timeout') } : {}),
    ),
    cmd(
      state,
      'status <rollout>',
      'A rollout with its waves and every target',
      (y) => y.positional('rollout', { type: 'string', demandOption: true, describe: 'Rollout id' }),
      async (ctx, args) => {
        const client = await ctx.client();
        const r = await client.request('GET /rollouts/:id', { params: { id: args.rollout } });
        const names = new Map((await listInstallations(client)).map((i) => [i.id, `${i.customerName}/${i.name}`]));
        ctx.result(r, () =>
          [
            formatFields(rolloutFields(r)),
            '',
            formatTable(
              r.targets.map((t) => ({ installation: names.get(t.installationId) ?? t.installationId, wave: t.wave + 1, status: t.status, stage: t.stage, message: t.message })),
              ['installation', 'wave', 'status', 'stage', 'message'],
            ),
          ].join('\n'),
        );
      },
    ),
    cmd(state, 'list', 'Recent rollouts, newest first', (y) => y, async (ctx) => {
      const page = await (await ctx.client()).request('GET /rollouts');
      ctx.result(page.items, () => formatTable(page.items.map(rolloutFields), ['rollout', 'release', 'status', 'waves', 'message']));
    }),
    rolloutAction(state, 'pause', 'Pause a running rollout'),
    rolloutAction(state, 'resume', 'Resume a paused rollout'),
    rolloutAction(state, 'abort', 'Abort a rollout'),
  ]);
}
