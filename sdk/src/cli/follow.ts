import type { Rollout, RolloutTimelineEvent } from '@flotilla/protocol';
import { followRollout } from '../follow-rollout.js';
import { CliError, EXIT } from './cli-error.js';
import type { CliContext } from './context.js';
import { listInstallations } from './resolve.js';
import { badTargets, eventLine, healthReason, progressLine, rolloutExitCode, rolloutSummary, type Names } from './rollout-view.js';

/** Events a TTY shows above its progress bar (the bar already says what the routine ones would). */
const NOTABLE = new Set(['failed', 'rolled_back', 'skipped', 'paused', 'resumed', 'aborted', 'completed']);

export interface FollowOptions {
  /** Give up waiting after this many seconds (the rollout goes on). */
  timeoutSeconds?: number;
}

/**
 * Streams a rollout's progress to stderr until it finishes or pauses: a progress bar on a TTY, one
 * line per event otherwise (CI logs). Prints the outcome (JSON on stdout with --output json) and
 * answers the exit code: 0 completed, 1 failed / aborted / rolled back, 2 paused.
 */
/** What each failed or rolled-back installation's agent last reported unhealthy during the rollout. */
async function reasonsOf(ctx: CliContext, r: Rollout): Promise<Map<string, string>> {
  const client = await ctx.client();
  const reasons = new Map<string, string>();
  for (const id of badTargets(r).slice(0, 20)) {
    const { items } = await client.request('GET /installations/:id/events', { params: { id }, query: { limit: 100 } });
    const reason = healthReason(items, r.createdAt);
    if (reason) reasons.set(id, reason);
  }
  return reasons;
}

export async function followToEnd(ctx: CliContext, rolloutId: string, opts: FollowOptions = {}): Promise<number> {
  const client = await ctx.client();
  const names: Names = new Map((await listInstallations(client)).map((i) => [i.id, `${i.customerName}/${i.name}`]));
  const stderr = ctx.io.stderr;
  const tty = stderr.isTTY === true;
  let bar = '';
  const clearBar = () => {
    if (tty && bar) stderr.write('\r\x1b[2K');
  };
  const drawBar = () => {
    if (tty && bar) stderr.write(bar);
  };
  const onEvent = (e: RolloutTimelineEvent) => {
    if (tty && !NOTABLE.has(e.type)) return;
    clearBar();
    stderr.write(`${eventLine(e, names)}\n`);
    drawBar();
  };
  const onRollout = (r: Rollout) => {
    if (!tty) return;
    clearBar();
    bar = progressLine(r, Math.max(10, Math.min(40, (stderr.columns ?? 80) - 60)));
    drawBar();
  };
  const signal = opts.timeoutSeconds ? AbortSignal.timeout(opts.timeoutSeconds * 1000) : undefined;
  let final: Rollout;
  try {
    final = await followRollout(client, await ctx.live(), rolloutId, { onEvent, onRollout, until: (r) => r.status === 'paused', ...(signal ? { signal } : {}) });
  } catch (err) {
    if (signal?.aborted) throw new CliError(`Stopped waiting after ${opts.timeoutSeconds} s; the rollout ${rolloutId} goes on (flotilla rollouts watch ${rolloutId})`, EXIT.failed);
    throw err;
  } finally {
    clearBar();
    if (tty && bar) stderr.write(`${bar}\n`);
  }
  const code = rolloutExitCode(final);
  const summary = rolloutSummary(final, names, await reasonsOf(ctx, final)).join('\n');
  ctx.result(final, () => summary);
  if (ctx.json) ctx.info(summary);
  return code;
}
