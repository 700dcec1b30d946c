import type { AgentKind, ComponentUsage, DesiredComponent } from '@flotilla/protocol';
import { DriverError, type ApplyContext, type Driver, type DriverContext, type HealthSample } from '../driver.js';
import type { ComponentMetrics } from '../usage.js';

export interface MemoryDriverCall {
  op: 'apply' | 'remove' | 'restart' | 'rollback' | 'logs' | 'self-update';
  name: string;
  version: string;
  installationId: string;
  revision?: number;
  /** apply: a forced re-apply (redeploy). */
  force?: boolean;
}

/**
 * An in-memory driver for tests: `apply` records the component as running, `health` answers from
 * `running` (or a health set with `setHealth`), failures and delays are scripted.
 */
export class MemoryDriver implements Driver {
  readonly calls: MemoryDriverCall[] = [];
  /** What "runs": component name → applied spec. */
  readonly running = new Map<string, DesiredComponent>();
  private readonly healthOverrides = new Map<string, HealthSample>();
  private readonly failures = new Map<string, string>();
  /** Delay of each apply (ms). */
  applyDelayMs = 0;
  /** Health of a component right after it was applied, until `setHealth` says otherwise. */
  initialHealth: HealthSample = { health: 'healthy' };
  /** Delay of each command hook call (ms). */
  hookDelayMs = 0;
  /** What `logs` returns per component (default: two lines naming it). */
  logLines = new Map<string, string[]>();
  /** Calls (other than health) running right now, and the most ever at once: the contract says one. */
  private busy = 0;
  maxConcurrentCalls = 0;

  constructor(
    readonly kind: AgentKind = 'compose',
    private readonly runtime = 'memory 1.0',
  ) {}

  runtimeInfo(): Promise<string> {
    return Promise.resolve(this.runtime);
  }

  /** The next apply of `name` with `version` (any version when omitted) fails with `message`. */
  failApply(name: string, message: string, version?: string): void {
    this.failures.set(version === undefined ? name : `${name}@${version}`, message);
  }

  setHealth(name: string, sample: HealthSample | undefined): void {
    if (sample === undefined) this.healthOverrides.delete(name);
    else this.healthOverrides.set(name, sample);
  }

  applies(): MemoryDriverCall[] {
    return this.calls.filter((c) => c.op === 'apply');
  }

  async apply(component: DesiredComponent, ctx: ApplyContext): Promise<void> {
    this.calls.push({ op: 'apply', name: component.name, version: component.version, installationId: ctx.installationId, revision: ctx.revision, ...(ctx.force ? { force: true } : {}) });
    await this.occupied(this.applyDelayMs);
    const key = [`${component.name}@${component.version}`, component.name].find((k) => this.failures.has(k));
    if (key !== undefined) {
      const message = this.failures.get(key) ?? 'failed';
      this.failures.delete(key);
      throw new DriverError(message);
    }
    this.running.set(component.name, component);
    this.healthOverrides.delete(component.name);
  }

  restart(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    return this.hook('restart', component, ctx);
  }

  rollback(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    return this.hook('rollback', component, ctx);
  }

  async logs(component: DesiredComponent, lines: number, ctx: DriverContext): Promise<string[]> {
    await this.hook('logs', component, ctx);
    return (this.logLines.get(component.name) ?? [`${component.name} line 1`, `${component.name} line 2`]).slice(-lines);
  }

  /** The images self-update was called with. */
  readonly selfUpdates: string[] = [];

  async selfUpdate(image: string, ctx: DriverContext): Promise<void> {
    this.selfUpdates.push(image);
    await this.hook('self-update', { name: 'agent', kind: 'compose', version: image, stage: 1, spec: { file: 'x' } }, ctx);
  }

  private async hook(op: MemoryDriverCall['op'], component: DesiredComponent, ctx: DriverContext): Promise<void> {
    this.calls.push({ op, name: component.name, version: component.version, installationId: ctx.installationId });
    await this.occupied(this.hookDelayMs);
    const failure = this.failures.get(`${op}:${component.name}`);
    if (failure !== undefined) {
      this.failures.delete(`${op}:${component.name}`);
      throw new DriverError(failure);
    }
  }

  /** The next `op` hook call for `name` fails with `message`. */
  failHook(op: MemoryDriverCall['op'], name: string, message: string): void {
    this.failures.set(`${op}:${name}`, message);
  }

  private async occupied(ms: number): Promise<void> {
    this.busy += 1;
    this.maxConcurrentCalls = Math.max(this.maxConcurrentCalls, this.busy);
    try {
      if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    } finally {
      this.busy -= 1;
    }
  }

  /** Fails like `failHook('remove', name, message)`; what failed to be removed keeps running. */
  remove(component: DesiredComponent, ctx: DriverContext): Promise<void> {
    this.calls.push({ op: 'remove', name: component.name, version: component.version, installationId: ctx.installationId });
    const failure = this.failures.get(`remove:${component.name}`);
    if (failure !== undefined) {
      this.failures.delete(`remove:${component.name}`);
      return Promise.reject(new DriverError(failure));
    }
    this.running.delete(component.name);
    return Promise.resolve();
  }

  /** What `metrics` reports: a running component uses 1 % CPU and 1 MiB unless set here. */
  usage = new Map<string, Omit<ComponentUsage, 'name'>>();
  /** Set: `metrics` answers that metrics are unavailable for this reason. */
  metricsUnavailable: string | undefined;

  metrics(components: readonly DesiredComponent[]): Promise<ComponentMetrics> {
    if (this.metricsUnavailable !== undefined) return Promise.resolve({ components: [], unavailable: this.metricsUnavailable });
    const out = components
      .filter((c) => this.running.has(c.name))
      .map((c): ComponentUsage => ({ name: c.name, ...(this.usage.get(c.name) ?? { cpuPercent: 1, memoryBytes: 1024 * 1024, restarts: 0 }) }));
    return Promise.resolve({ components: out });
  }

  health(components: readonly DesiredComponent[]): Promise<Map<string, HealthSample>> {
    const out = new Map<string, HealthSample>();
    for (const c of components) {
      const override = this.healthOverrides.get(c.name);
      if (override !== undefined) out.set(c.name, override);
      else if (this.running.get(c.name)?.version === c.version) out.set(c.name, this.initialHealth);
      else out.set(c.name, { health: 'failed', message: 'not running' });
    }
    return Promise.resolve(out);
  }
}
