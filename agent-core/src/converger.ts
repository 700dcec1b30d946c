import type { DesiredComponent, DesiredState } from '@flotilla/protocol';
import { fingerprint, groupByStage, planConvergence, uninstallOrder, type Plan } from './convergence.js';
import { hasSecrets } from './secret-digest.js';
import type { Driver, DriverContext, HealthSample } from './driver.js';
import type { Logger } from './logger.js';
import type { FailureRecord, LocalState, StateStore } from './state-store.js';
import { Serial } from './serial.js';
import { truncateMessage } from './status.js';

export interface ConvergerOptions {
  driver: Driver;
  store: StateStore;
  logger: Logger;
  /** The state loaded from disk. */
  state: LocalState;
  /** A stage must be healthy within this time before the next stage is applied. */
  healthTimeoutMs: number;
  /** How often health is polled while waiting for a stage. */
  healthPollMs: number;
  /** A component `failed` for this long while waiting fails the stage early. */
  failFastMs: number;
  /** Samples the health of components (the agent also records the samples in its statuses). */
  sampleHealth(components: readonly DesiredComponent[], ctx: DriverContext): Promise<Map<string, HealthSample>>;
  /** Called whenever the local state or an override changed (statuses must be recomputed). */
  onChange(): void;
  /**
   * Called before and after each driver call on a component: health sampled before that moment is
   * stale (e.g. taken while containers were being replaced) and must not be shown afterwards.
   */
  onComponentChanging?(name: string): void;
  /** Shared with whatever else calls the driver (the command runner): applies never overlap its calls. */
  serial?: Serial;
}

/** How one apply ended. */
export type ApplyOutcome = { kind: 'applied' } | { kind: 'noop' } | { kind: 'interrupted' } | { kind: 'failed'; message: string };

/** How an uninstall ended: the components removed, or why it stopped (what was not removed still runs). */
export type UninstallOutcome = { ok: true; removed: string[] } | { ok: false; message: string };

/** Thrown when the wait for a stage was interrupted (shutdown or newer desired state). */
class Interrupted extends Error {
  override name = 'Interrupted';
}

/** A failure to be reported on specific components. */
class ConvergenceError extends Error {
  override name = 'ConvergenceError';
  constructor(
    message: string,
    readonly components: string[],
  ) {
    super(message);
  }
}

/**
 * Applies desired states one at a time. A desired state submitted while another is being applied
 * waits; a newer one replaces a waiting one and interrupts the in-flight one at its next safe point
 * (between two driver calls, or while waiting for health). Driver calls are never cut off midway.
 */
export class Converger {
  private current: LocalState;
  private pending: DesiredState | undefined;
  private inFlight: { fingerprint: string; controller: AbortController } | undefined;
  private loop: Promise<void> | undefined;
  private stopped = false;
  /** Desired states that failed in this process; a restarted agent retries them once. */
  private readonly failed = new Set<string>();
  /** Health shown instead of the sampled one: `progressing` while applying, `failed` after a failure. */
  private readonly overrideMap = new Map<string, HealthSample>();
  /** The last desired state submitted (what a redeploy re-applies). */
  private lastDesired: DesiredState | undefined;
  private readonly serial: Serial;

  constructor(private readonly opts: ConvergerOptions) {
    this.serial = opts.serial ?? new Serial();
    this.current = opts.state;
    const failure = opts.state.lastFailure;
    if (failure !== null) {
      for (const name of failure.components) this.overrideMap.set(name, { health: 'failed', message: failure.message });
    }
  }

  get state(): LocalState {
    return this.current;
  }

  get overrides(): ReadonlyMap<string, HealthSample> {
    return this.overrideMap;
  }

  /** Queues `desired`; supersedes a queued one and interrupts an in-flight one that differs. */
  submit(desired: DesiredState): void {
    if (this.stopped) return;
    this.pending = desired;
    this.lastDesired = desired;
    if (this.inFlight !== undefined && this.inFlight.fingerprint !== fingerprint(desired)) {
      this.opts.logger.info({ revision: desired.revision }, 'newer desired state received; interrupting the current apply');
      this.inFlight.controller.abort(new Interrupted('superseded by a newer desired state'));
    }
    this.loop ??= this.drain().finally(() => {
      this.loop = undefined;
    });
  }

  /** Resolves when nothing is queued or being applied. */
  async idle(): Promise<void> {
    while (this.loop !== undefined) await this.loop;
  }

  /**
   * Stops accepting work, interrupts the in-flight apply at its next safe point and waits for it up to
   * `timeoutMs`. The state file is only ever replaced atomically, so giving up here is safe.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.stopped = true;
    this.pending = undefined;
    this.inFlight?.controller.abort(new Interrupted('agent is shutting down'));
    const loop = this.loop;
    if (loop === undefined) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    const outcome = await Promise.race([loop.then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    if (outcome === 'timeout') this.opts.logger.warn('in-flight apply did not finish in time; abandoning it');
  }

  private async drain(): Promise<void> {
    while (this.pending !== undefined && !this.stopped) {
      const desired = this.pending;
      this.pending = undefined;
      try {
        await this.serial.run(() => this.converge(desired));
      } catch (err) {
        // converge() handles its own errors; this is a bug or an unwritable state file.
        this.opts.logger.error({ err, revision: desired.revision }, 'convergence failed unexpectedly');
      }
    }
  }

  /**
   * Applies the current desired state again even where it looks unchanged (the runtime drifted, or
   * the user wants workloads recreated): `targets` (all when absent) are applied with `force`, after
   * anything queued. A desired state that failed before is retried. Resolves with the outcome.
   */
  redeploy(targets?: readonly string[]): Promise<ApplyOutcome> {
    return this.serial.run(async () => {
      if (this.stopped) return { kind: 'interrupted' } as const;
      const desired = this.lastDesired ?? { installationId: this.current.installationId, revision: this.current.appliedRevision, components: this.current.components };
      this.failed.delete(fingerprint(desired));
      const wanted = desired.components.filter((c) => targets === undefined || targets.includes(c.name));
      // The state file keeps secrets as digests: only the hub's own copy can be applied again.
      if (this.lastDesired === undefined && wanted.some(hasSecrets)) return { kind: 'failed', message: 'the desired state has not arrived from the hub since this agent started (its secrets are not kept on disk); try again once connected' } as const;
      const plan = planConvergence(this.current, desired, this.failed);
      // Up to date: re-apply the targets as they are. Behind: converge fully, which applies everything.
      const forced: Plan = plan.kind === 'noop' ? { kind: 'apply', remove: [], stages: groupByStage(wanted) } : plan;
      return this.converge(desired, forced, true);
    });
  }

  /**
   * Removes every component (the last stage first) and records that desired states up to `revision`
   * (or the newest this agent knows, if higher) are done with, so one re-sent by the hub brings
   * nothing back. Anything queued is dropped and an in-flight apply is interrupted first. A component
   * that cannot be removed stops the uninstall: those after it in the order still run.
   */
  uninstall(revision = 0): Promise<UninstallOutcome> {
    this.pending = undefined;
    this.inFlight?.controller.abort(new Interrupted('the installation is being uninstalled'));
    return this.serial.run(async () => {
      const upTo = Math.max(revision, this.current.appliedRevision, this.lastDesired?.revision ?? 0);
      const log = this.opts.logger.child({ uninstall: upTo });
      const ctx: DriverContext = { installationId: this.current.installationId, logger: log, signal: new AbortController().signal };
      const removed: string[] = [];
      log.info({ components: this.current.components.map((c) => c.name) }, 'uninstalling');
      try {
        for (const component of uninstallOrder(this.current.components)) {
          if (this.stopped) return { ok: false, message: `the agent stopped while uninstalling; removed: ${removed.join(', ') || 'nothing'}` };
          await this.removeComponent(component, ctx);
          removed.push(component.name);
        }
      } catch (err) {
        const failed = err instanceof ConvergenceError ? err.components.join(', ') : '?';
        return { ok: false, message: truncateMessage(`could not remove ${failed}: ${errorText(err)}`) ?? 'uninstall failed' };
      }
      this.overrideMap.clear();
      this.failed.clear();
      await this.persist({ ...this.current, components: [], lastFailure: null, uninstalledRevision: upTo });
      log.info({ removed }, 'uninstalled');
      return { ok: true, removed };
    });
  }

  private async converge(desired: DesiredState, forcedPlan?: Extract<Plan, { kind: 'apply' }>, force = false): Promise<ApplyOutcome> {
    const log = this.opts.logger.child({ revision: desired.revision });
    const plan = forcedPlan ?? planConvergence(this.current, desired, this.failed);
    if (plan.kind === 'noop') {
      log.debug({ reason: plan.reason }, 'desired state needs no change');
      return { kind: 'noop' };
    }
    const fp = fingerprint(desired);
    const controller = new AbortController();
    this.inFlight = { fingerprint: fp, controller };
    this.clearFailureOverrides();
    log.info(
      { stages: plan.stages.map((s) => s.map((c) => `${c.name}@${c.version}`)), remove: plan.remove.map((c) => c.name) },
      'applying desired state',
    );
    try {
      await this.execute(desired, plan, controller.signal, log, force);
      await this.persist({ ...this.current, appliedRevision: desired.revision, lastFailure: null });
      log.info('desired state applied');
      return { kind: 'applied' };
    } catch (err) {
      if (err instanceof Interrupted || controller.signal.aborted) {
        log.info({ reason: err instanceof Error ? err.message : String(err) }, 'apply interrupted');
        return { kind: 'interrupted' };
      }
      return { kind: 'failed', message: await this.recordFailure(desired, fp, err, log) };
    } finally {
      this.inFlight = undefined;
      this.opts.onChange();
    }
  }

  private async execute(desired: DesiredState, plan: Extract<Plan, { kind: 'apply' }>, signal: AbortSignal, log: Logger, force: boolean) {
    const { driver } = this.opts;
    for (const component of plan.remove) {
      throwIfAborted(signal);
      const ctx = { installationId: this.current.installationId, logger: log, signal };
      await this.removeComponent(component, ctx);
    }
    if (this.current.installationId !== desired.installationId) {
      await this.persist({ ...this.current, installationId: desired.installationId, appliedRevision: 0 });
    }
    const ctx: DriverContext = { installationId: desired.installationId, logger: log, signal };
    for (const [index, stage] of plan.stages.entries()) {
      for (const component of stage) {
        throwIfAborted(signal);
        if (component.kind !== driver.kind) {
          throw new ConvergenceError(`component kind "${component.kind}" cannot be applied by a ${driver.kind} agent`, [component.name]);
        }
        const previous = this.current.components.find((c) => c.name === component.name);
        const withThis = () => [...this.current.components.filter((c) => c.name !== component.name), component];
        try {
          await this.step(
            component.name,
            `applying ${component.version}`,
            () => driver.apply(component, { ...ctx, revision: desired.revision, previous, ...(force ? { force } : {}) }),
            () => this.persist({ ...this.current, components: withThis() }),
          );
        } catch (err) {
          // A new component may be half-created: remember it so a later revision removes it.
          if (previous === undefined && !this.current.components.some((c) => c.name === component.name)) {
            await this.persist({ ...this.current, components: withThis() }).catch(() => undefined);
          }
          throw err;
        }
      }
      // Stage k+1 starts only once stage k is healthy; the last stage's health is reported, not awaited.
      if (index < plan.stages.length - 1) await this.waitHealthy(stage, ctx, log);
    }
  }

  private removeComponent(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    return this.step(
      component.name,
      `removing ${component.version}`,
      () => this.opts.driver.remove(component, ctx),
      () => this.persist({ ...this.current, components: this.current.components.filter((c) => c.name !== component.name) }),
    );
  }

  /**
   * Runs one driver call with a `progressing` override, then `record`s its outcome in the state file.
   * The override goes only once the state lists the outcome: in between, a new component would be in
   * neither and vanish from the report (the hub reads that as 'unknown'). A failed call is attributed
   * to that component.
   */
  private async step(name: string, message: string, call: () => Promise<void>, record: () => Promise<void>): Promise<void> {
    this.overrideMap.set(name, { health: 'progressing', message });
    this.opts.onComponentChanging?.(name);
    this.opts.onChange();
    try {
      try {
        await call();
      } catch (err) {
        throw new ConvergenceError(errorText(err), [name]);
      }
      await record();
    } finally {
      this.overrideMap.delete(name);
      this.opts.onComponentChanging?.(name);
      this.opts.onChange();
    }
  }

  private async waitHealthy(stage: DesiredComponent[], ctx: DriverContext, log: Logger): Promise<void> {
    const deadline = Date.now() + this.opts.healthTimeoutMs;
    const failingSince = new Map<string, number>();
    log.info({ components: stage.map((c) => c.name) }, 'waiting for stage to become healthy');
    for (;;) {
      throwIfAborted(ctx.signal);
      const samples = await this.opts.sampleHealth(stage, ctx);
      const now = Date.now();
      const unhealthy = stage.filter((c) => samples.get(c.name)?.health !== 'healthy');
      if (unhealthy.length === 0) return;
      for (const c of stage) {
        if (samples.get(c.name)?.health === 'failed') failingSince.set(c.name, failingSince.get(c.name) ?? now);
        else failingSince.delete(c.name);
      }
      const failedLong = [...failingSince.entries()].filter(([, since]) => now - since >= this.opts.failFastMs);
      if (failedLong.length > 0 || now >= deadline) {
        const names = failedLong.length > 0 ? failedLong.map(([n]) => n) : unhealthy.map((c) => c.name);
        const detail = names.map((n) => `${n}: ${samples.get(n)?.health ?? 'unknown'}${suffix(samples.get(n)?.message)}`);
        const why = failedLong.length > 0 ? 'failed' : `not healthy after ${Math.round(this.opts.healthTimeoutMs / 1000)} s`;
        throw new ConvergenceError(`stage ${stage[0]?.stage ?? '?'} ${why}: ${detail.join('; ')}`, names);
      }
      await sleep(Math.min(this.opts.healthPollMs, Math.max(0, deadline - now)), ctx.signal);
    }
  }

  /** Records a failed apply (overrides, state file); returns the message reported on the components. */
  private async recordFailure(desired: DesiredState, fp: string, err: unknown, log: Logger): Promise<string> {
    const components = err instanceof ConvergenceError ? err.components : desired.components.map((c) => c.name);
    const message = truncateMessage(errorText(err)) ?? 'apply failed';
    this.failed.add(fp);
    for (const name of components) this.overrideMap.set(name, { health: 'failed', message });
    log.error({ components, error: message }, 'applying desired state failed; keeping the previous revision');
    const failure: FailureRecord = { revision: desired.revision, fingerprint: fp, message, components, at: new Date().toISOString() };
    try {
      await this.persist({ ...this.current, lastFailure: failure });
    } catch (persistErr) {
      log.error({ err: persistErr }, 'could not record the failure in the state file');
    }
    return message;
  }

  private async persist(next: LocalState): Promise<void> {
    const state = { ...next, updatedAt: new Date().toISOString() };
    await this.opts.store.save(state);
    this.current = state;
    this.opts.onChange();
  }

  private clearFailureOverrides(): void {
    for (const [name, sample] of this.overrideMap) if (sample.health === 'failed') this.overrideMap.delete(name);
  }
}

function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function suffix(message: string | undefined): string {
  return message === undefined || message === '' ? '' : ` (${message})`;
}

function throwIfAborted(signal: AbortSignal): void {
  if (!signal.aborted) return;
  throw signal.reason instanceof Error ? signal.reason : new Interrupted('interrupted');
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason instanceof Error ? signal.reason : new Interrupted('interrupted'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason instanceof Error ? signal.reason : new Interrupted('interrupted'));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
