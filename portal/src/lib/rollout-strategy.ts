import { DEFAULT_ROLLOUT_STRATEGY, type CreateRolloutBody, type RolloutStrategy } from '@flotilla/protocol';
import type { Parsed } from './identity-forms';

/**
 * The rollout wizard's strategy form and targets, and the `POST /rollouts` body built from them.
 * Pure: the page binds the form and calls these. Limits mirror the protocol's `RolloutStrategy`
 * schema so the user hears about a bad value before the hub does (the hub still validates).
 */

/** A wave as the protocol takes it. */
export type WaveSpec = RolloutStrategy['waves'][number];
export type FailurePolicy = RolloutStrategy['failurePolicy'];

/** One row of the waves editor: a number of installations, or a percentage of those not yet in a wave. */
export interface WaveRow {
  kind: 'count' | 'percent';
  /** Bound to a number input: a number, or '' while blank. */
  value: number | string;
}

export type DurationUnit = 'minutes' | 'hours';

/** A duration as the form takes it: a number (fractions allowed) and a unit; the hub takes seconds. */
export interface DurationInput {
  /** Bound to a number input: a number, or '' while blank. */
  value: number | string;
  unit: DurationUnit;
}

export const DURATION_UNITS: readonly DurationUnit[] = ['minutes', 'hours'];
const UNIT_SECONDS: Record<DurationUnit, number> = { minutes: 60, hours: 3600 };

export interface StrategyForm {
  waves: WaveRow[];
  maxParallel: number | string;
  soak: DurationInput;
  healthTimeout: DurationInput;
  failurePolicy: FailurePolicy;
  maxFailures: number | string;
  respectMaintenanceWindows: boolean;
  requireCustomerApproval: boolean;
  offlineTimeout: DurationInput;
}

/** The hub's defaults (the protocol's), shown in the form. */
export const DEFAULT_STRATEGY: RolloutStrategy = { ...DEFAULT_ROLLOUT_STRATEGY, waves: DEFAULT_ROLLOUT_STRATEGY.waves.map((w) => ({ ...w })) };

export const MAX_WAVES = 20;

export interface WavePreset {
  label: string;
  waves: WaveSpec[];
}

export const WAVE_PRESETS: readonly WavePreset[] = [
  { label: 'All at once', waves: [{ percent: 100 }] },
  { label: 'Canary then all', waves: [{ count: 1 }, { percent: 100 }] },
  { label: 'Canary, 10 %, rest', waves: [{ count: 1 }, { percent: 10 }, { percent: 100 }] },
];

export const FAILURE_POLICIES: readonly { value: FailurePolicy; label: string }[] = [
  { value: 'pause', label: 'Pause the rollout' },
  { value: 'rollback', label: 'Roll the installation back' },
  { value: 'continue', label: 'Continue (up to max failures)' },
];

export function defaultStrategyForm(): StrategyForm {
  const d = DEFAULT_STRATEGY;
  return {
    waves: wavesToRows(d.waves),
    maxParallel: d.maxParallel,
    soak: durationInput(d.soakSeconds),
    healthTimeout: durationInput(d.healthTimeoutSeconds),
    failurePolicy: d.failurePolicy,
    maxFailures: d.maxFailures,
    respectMaintenanceWindows: d.respectMaintenanceWindows,
    requireCustomerApproval: d.requireCustomerApproval,
    offlineTimeout: durationInput(d.offlineTimeoutSeconds),
  };
}

/** Seconds as the form shows them: whole hours in hours, anything else in minutes (`30 s` = 0.5 minutes). */
export function durationInput(seconds: number): DurationInput {
  if (seconds > 0 && seconds % 3600 === 0) return { value: seconds / 3600, unit: 'hours' };
  return { value: seconds / 60, unit: 'minutes' };
}

/**
 * `45 s`, `10 min`, `1 h 30 min`, `2 d`: a number of seconds in the largest units that say it exactly
 * (days only from two whole days: `24 h` reads better than `1 d`).
 */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s === 0) return '0 min';
  if (s >= 2 * 86_400 && s % 86_400 === 0) return `${s / 86_400} d`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return [h > 0 ? `${h} h` : '', m > 0 ? `${m} min` : '', rest > 0 ? `${rest} s` : ''].filter(Boolean).join(' ');
}

/** A duration field in whole seconds, within [min, max] seconds; the message names the field and the bounds. */
export function parseDuration(label: string, input: DurationInput, min: number, max: number): Parsed<number> {
  const n = numberOf(input.value);
  const factor = UNIT_SECONDS[input.unit];
  const seconds = n === null || factor === undefined ? null : Math.round(n * factor);
  if (seconds === null || seconds < min || seconds > max) return { ok: false, message: `${label} must be from ${formatDuration(min)} to ${formatDuration(max)}` };
  return { ok: true, value: seconds };
}

/** Editor rows for waves given as specs (explicit-id waves have no row: the editor does not offer them). */
export function wavesToRows(waves: readonly WaveSpec[]): WaveRow[] {
  return waves.flatMap((w): WaveRow[] => ('count' in w ? [{ kind: 'count', value: w.count }] : 'percent' in w ? [{ kind: 'percent', value: w.percent }] : []));
}

/** The preset whose waves the rows are exactly, if any (to mark it as chosen). */
export function matchingPreset(rows: readonly WaveRow[]): WavePreset | undefined {
  const parsed = rowsToWaves(rows);
  if (!parsed.ok) return undefined;
  const key = JSON.stringify(parsed.value);
  return WAVE_PRESETS.find((p) => JSON.stringify(p.waves) === key);
}

export function addWave(rows: readonly WaveRow[]): WaveRow[] {
  if (rows.length >= MAX_WAVES) return [...rows];
  return [...rows, { kind: 'percent', value: 100 }];
}

export function removeWave(rows: readonly WaveRow[], index: number): WaveRow[] {
  if (rows.length <= 1) return [...rows];
  return rows.filter((_r, i) => i !== index);
}

export function updateWave(rows: readonly WaveRow[], index: number, patch: Partial<WaveRow>): WaveRow[] {
  return rows.map((r, i) => (i === index ? { ...r, ...patch } : r));
}

/** A number typed into an input (number or text); null when blank or not a number. */
function numberOf(value: number | string): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  const text = value.trim();
  if (text === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function wholeNumber(label: string, value: number | string, min: number, max: number): Parsed<number> {
  const n = numberOf(value);
  if (n === null || !Number.isInteger(n) || n < min || n > max) return { ok: false, message: `${label} must be a whole number from ${min} to ${max}` };
  return { ok: true, value: n };
}

export function rowsToWaves(rows: readonly WaveRow[]): Parsed<WaveSpec[]> {
  if (rows.length === 0) return { ok: false, message: 'Add at least one wave' };
  if (rows.length > MAX_WAVES) return { ok: false, message: `At most ${MAX_WAVES} waves` };
  const waves: WaveSpec[] = [];
  for (const [i, row] of rows.entries()) {
    if (row.kind === 'count') {
      const n = wholeNumber(`Wave ${i + 1}`, row.value, 1, 1_000_000);
      if (!n.ok) return { ok: false, message: `${n.message} (installations)` };
      waves.push({ count: n.value });
    } else {
      const n = numberOf(row.value);
      if (n === null || n < 0.1 || n > 100) return { ok: false, message: `Wave ${i + 1} must be a percentage from 0.1 to 100` };
      waves.push({ percent: n });
    }
  }
  return { ok: true, value: waves };
}

/** The full strategy the form describes, or the first problem with it. */
export function buildStrategy(form: StrategyForm): Parsed<RolloutStrategy> {
  const waves = rowsToWaves(form.waves);
  if (!waves.ok) return waves;
  const checks = [
    ['maxParallel', wholeNumber('Max parallel', form.maxParallel, 1, 100_000)],
    ['soakSeconds', parseDuration('Soak', form.soak, 0, 7 * 86_400)],
    ['healthTimeoutSeconds', parseDuration('Health timeout', form.healthTimeout, 5, 86_400)],
    ['maxFailures', wholeNumber('Max failures', form.maxFailures, 0, 1_000_000)],
    ['offlineTimeoutSeconds', parseDuration('Offline timeout', form.offlineTimeout, 10, 30 * 86_400)],
  ] as const;
  const numbers: Partial<Record<(typeof checks)[number][0], number>> = {};
  for (const [key, parsed] of checks) {
    if (!parsed.ok) return parsed;
    numbers[key] = parsed.value;
  }
  if (!FAILURE_POLICIES.some((p) => p.value === form.failurePolicy)) return { ok: false, message: 'Choose what happens on failure' };
  return {
    ok: true,
    value: {
      waves: waves.value,
      maxParallel: numbers.maxParallel ?? DEFAULT_STRATEGY.maxParallel,
      soakSeconds: numbers.soakSeconds ?? DEFAULT_STRATEGY.soakSeconds,
      healthTimeoutSeconds: numbers.healthTimeoutSeconds ?? DEFAULT_STRATEGY.healthTimeoutSeconds,
      failurePolicy: form.failurePolicy,
      maxFailures: numbers.maxFailures ?? DEFAULT_STRATEGY.maxFailures,
      respectMaintenanceWindows: form.respectMaintenanceWindows,
      requireCustomerApproval: form.requireCustomerApproval,
      offlineTimeoutSeconds: numbers.offlineTimeoutSeconds ?? DEFAULT_STRATEGY.offlineTimeoutSeconds,
    },
  };
}

export type TargetMode = 'all' | 'customers' | 'installations';
export type RolloutTargets = CreateRolloutBody['targets'];

export function buildTargets(mode: TargetMode, customerIds: readonly string[], installationIds: readonly string[]): Parsed<RolloutTargets> {
  if (mode === 'all') return { ok: true, value: { all: true } };
  if (mode === 'customers') {
    if (customerIds.length === 0) return { ok: false, message: 'Pick at least one customer' };
    return { ok: true, value: { customerIds: [...new Set(customerIds)] } };
  }
  if (installationIds.length === 0) return { ok: false, message: 'Pick at least one installation' };
  return { ok: true, value: { installationIds: [...new Set(installationIds)] } };
}

export interface WizardInput {
  releaseId: string;
  mode: TargetMode;
  customerIds: readonly string[];
  installationIds: readonly string[];
  strategy: StrategyForm;
}

/** The `POST /rollouts` body, or the first thing the user still has to fix. */
export function buildRolloutBody(input: WizardInput): Parsed<CreateRolloutBody> {
  if (!input.releaseId) return { ok: false, message: 'Pick a release' };
  const targets = buildTargets(input.mode, input.customerIds, input.installationIds);
  if (!targets.ok) return targets;
  const strategy = buildStrategy(input.strategy);
  if (!strategy.ok) return strategy;
  return { ok: true, value: { releaseId: input.releaseId, targets: targets.value, strategy: strategy.value } };
}

/**
 * How many targets each wave gets, as the hub's `assignWaves` splits them: a count, or a percentage
 * of the targets not yet in a wave (rounded up, at least one); targets left over join the last wave.
 * Explicit-id waves are not known here and count as empty.
 */
export function waveSizes(targetCount: number, waves: readonly WaveSpec[]): number[] {
  let rest = Math.max(0, Math.floor(targetCount));
  const sizes = waves.map((w) => {
    let taken = 0;
    if ('count' in w) taken = Math.min(rest, Math.max(0, w.count));
    else if ('percent' in w) taken = rest === 0 ? 0 : Math.min(rest, Math.max(1, Math.ceil((rest * w.percent) / 100)));
    rest -= taken;
    return taken;
  });
  if (sizes.length > 0 && rest > 0) sizes[sizes.length - 1] = (sizes.at(-1) ?? 0) + rest;
  return sizes;
}

/** `1 installation`, `10 % of the rest`, `2 named installations`; the first wave's percentage is of all targets. */
export function describeWave(w: WaveSpec, first = false): string {
  if ('count' in w) return `${w.count} installation${w.count === 1 ? '' : 's'}`;
  if ('percent' in w) {
    if (first) return w.percent >= 100 ? 'all installations' : `${w.percent} % of the installations`;
    return w.percent >= 100 ? 'the rest' : `${w.percent} % of the rest`;
  }
  return `${w.installationIds.length} named installation${w.installationIds.length === 1 ? '' : 's'}`;
}

/** Every wave described, in order (`1 installation, then 10 % of the rest, then the rest`). */
export function describeWaves(waves: readonly WaveSpec[]): string {
  return waves.map((w, i) => describeWave(w, i === 0)).join(', then ');
}

/** A one-line summary of a strategy, for the rollout view. */
export function describeStrategy(s: RolloutStrategy): string {
  const parts = [
    s.waves.length === 1 && 'percent' in (s.waves[0] ?? {}) ? 'all at once' : describeWaves(s.waves),
    `${s.maxParallel} at a time`,
    s.soakSeconds > 0 ? `soak ${formatDuration(s.soakSeconds)}` : 'no soak',
    `health timeout ${formatDuration(s.healthTimeoutSeconds)}`,
    s.failurePolicy === 'continue' ? `on failure continue (max ${s.maxFailures})` : `on failure ${s.failurePolicy}`,
    s.respectMaintenanceWindows ? 'in maintenance windows' : 'ignoring maintenance windows',
  ];
  if (s.requireCustomerApproval) parts.push('customer approval required');
  return parts.join(' · ');
}
