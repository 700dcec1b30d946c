import { describe, expect, it } from 'vitest';
import { RolloutStrategy as RolloutStrategySchema, CreateRolloutBody as CreateRolloutBodySchema } from '@flotilla/protocol';
import {
  DEFAULT_STRATEGY,
  WAVE_PRESETS,
  addWave,
  buildRolloutBody,
  buildStrategy,
  buildTargets,
  defaultStrategyForm,
  describeStrategy,
  describeWaves,
  durationInput,
  formatDuration,
  matchingPreset,
  parseDuration,
  removeWave,
  rowsToWaves,
  updateWave,
  waveSizes,
  wavesToRows,
} from './rollout-strategy';

const RELEASE = '0b5f3c2e-8a51-4c1e-9d8e-3f2b7a6c1d00';
const INST = '1b5f3c2e-8a51-4c1e-9d8e-3f2b7a6c1d01';

describe('strategy form', () => {
  it('starts at the hub defaults, which are what the protocol fills in', () => {
    const built = buildStrategy(defaultStrategyForm());
    expect(built).toEqual({ ok: true, value: DEFAULT_STRATEGY });
    expect(RolloutStrategySchema.parse({})).toEqual(DEFAULT_STRATEGY);
  });

  it('presets: canary then all, canary / 10 % / rest', () => {
    const canary = WAVE_PRESETS.find((p) => p.label === 'Canary then all');
    const three = WAVE_PRESETS.find((p) => p.label === 'Canary, 10 %, rest');
    expect(canary?.waves).toEqual([{ count: 1 }, { percent: 100 }]);
    expect(three?.waves).toEqual([{ count: 1 }, { percent: 10 }, { percent: 100 }]);
    const rows = wavesToRows(canary?.waves ?? []);
    expect(rows).toEqual([{ kind: 'count', value: 1 }, { kind: 'percent', value: 100 }]);
    expect(matchingPreset(rows)?.label).toBe('Canary then all');
    expect(matchingPreset(updateWave(rows, 0, { value: 2 }))).toBeUndefined();
    expect(matchingPreset(defaultStrategyForm().waves)?.label).toBe('All at once');
  });

  it('builds the body of the form as typed, numbers from text or number inputs', () => {
    const form = { ...defaultStrategyForm(), waves: wavesToRows([{ count: 1 }, { percent: 100 }]), maxParallel: '2', soak: { value: '0.5', unit: 'minutes' as const }, respectMaintenanceWindows: false, failurePolicy: 'rollback' as const, maxFailures: ' 1 ' };
    const built = buildStrategy(form);
    expect(built).toEqual({ ok: true, value: { ...DEFAULT_STRATEGY, waves: [{ count: 1 }, { percent: 100 }], maxParallel: 2, soakSeconds: 30, respectMaintenanceWindows: false, failurePolicy: 'rollback', maxFailures: 1 } });
    // what the hub's schema accepts unchanged
    if (built.ok) expect(RolloutStrategySchema.parse(built.value)).toEqual(built.value);
  });

  it('refuses what the hub would refuse, naming the field', () => {
    const base = defaultStrategyForm();
    expect(buildStrategy({ ...base, maxParallel: 0 })).toEqual({ ok: false, message: 'Max parallel must be a whole number from 1 to 100000' });
    expect(buildStrategy({ ...base, maxParallel: '' })).toMatchObject({ ok: false, message: expect.stringContaining('Max parallel') });
    expect(buildStrategy({ ...base, soak: { value: -1, unit: 'minutes' } })).toEqual({ ok: false, message: 'Soak must be from 0 min to 7 d' });
    expect(buildStrategy({ ...base, soak: { value: 169, unit: 'hours' } })).toMatchObject({ ok: false, message: expect.stringContaining('Soak') });
    expect(buildStrategy({ ...base, healthTimeout: { value: 0.05, unit: 'minutes' } })).toEqual({ ok: false, message: 'Health timeout must be from 5 s to 24 h' });
    expect(buildStrategy({ ...base, maxFailures: -1 })).toMatchObject({ ok: false, message: expect.stringContaining('Max failures') });
    expect(buildStrategy({ ...base, offlineTimeout: { value: 'soon', unit: 'hours' } })).toEqual({ ok: false, message: 'Offline timeout must be from 10 s to 30 d' });
    expect(buildStrategy({ ...base, offlineTimeout: { value: '', unit: 'hours' } })).toMatchObject({ ok: false });
    expect(buildStrategy({ ...base, failurePolicy: 'panic' as never })).toEqual({ ok: false, message: 'Choose what happens on failure' });
  });

  it('waves: counts are whole and at least 1, percentages 0.1 to 100, at least one wave', () => {
    expect(rowsToWaves([])).toEqual({ ok: false, message: 'Add at least one wave' });
    expect(rowsToWaves([{ kind: 'count', value: 0 }])).toMatchObject({ ok: false, message: expect.stringContaining('Wave 1') });
    expect(rowsToWaves([{ kind: 'count', value: 2 }, { kind: 'percent', value: 150 }])).toEqual({ ok: false, message: 'Wave 2 must be a percentage from 0.1 to 100' });
    expect(rowsToWaves([{ kind: 'percent', value: '' }])).toMatchObject({ ok: false });
    expect(rowsToWaves([{ kind: 'percent', value: '12.5' }, { kind: 'count', value: '3' }])).toEqual({ ok: true, value: [{ percent: 12.5 }, { count: 3 }] });
  });

  it('adds and removes waves without dropping the last one or going past 20', () => {
    let rows = defaultStrategyForm().waves;
    expect(removeWave(rows, 0)).toEqual(rows);
    rows = addWave(rows);
    expect(rows).toHaveLength(2);
    expect(removeWave(rows, 0)).toEqual([{ kind: 'percent', value: 100 }]);
    for (let i = 0; i < 30; i++) rows = addWave(rows);
    expect(rows).toHaveLength(20);
  });
});

describe('durations: minutes and hours in the form, seconds in the body', () => {
  it('shows the defaults in the unit that says them best', () => {
    const form = defaultStrategyForm();
    expect(form.soak).toEqual({ value: 0, unit: 'minutes' });
    expect(form.healthTimeout).toEqual({ value: 10, unit: 'minutes' });
    expect(form.offlineTimeout).toEqual({ value: 1, unit: 'hours' });
    expect(durationInput(5400)).toEqual({ value: 90, unit: 'minutes' });
    expect(durationInput(30)).toEqual({ value: 0.5, unit: 'minutes' });
  });

  it('converts to whole seconds within the bounds', () => {
    expect(parseDuration('Soak', { value: '30', unit: 'minutes' }, 0, 86_400)).toEqual({ ok: true, value: 1800 });
    expect(parseDuration('Soak', { value: 1.5, unit: 'hours' }, 0, 86_400)).toEqual({ ok: true, value: 5400 });
    expect(parseDuration('Soak', { value: ' 2 ', unit: 'hours' }, 0, 86_400)).toEqual({ ok: true, value: 7200 });
    expect(parseDuration('Soak', { value: 0.01, unit: 'minutes' }, 0, 86_400)).toEqual({ ok: true, value: 1 });
    expect(parseDuration('Soak', { value: 25, unit: 'hours' }, 0, 86_400)).toEqual({ ok: false, message: 'Soak must be from 0 min to 24 h' });
    const built = buildStrategy({ ...defaultStrategyForm(), soak: { value: 30, unit: 'minutes' }, healthTimeout: { value: 2, unit: 'hours' }, offlineTimeout: { value: 90, unit: 'minutes' } });
    expect(built).toEqual({ ok: true, value: { ...DEFAULT_STRATEGY, soakSeconds: 1800, healthTimeoutSeconds: 7200, offlineTimeoutSeconds: 5400 } });
  });

  it('formats seconds in minutes, hours and days', () => {
    expect([0, 45, 90, 600, 1800, 3600, 5400, 86_400, 7 * 86_400, 3661].map(formatDuration)).toEqual(['0 min', '45 s', '1 min 30 s', '10 min', '30 min', '1 h', '1 h 30 min', '24 h', '7 d', '1 h 1 min 1 s']);
  });
});

describe('targets and body', () => {
  it('targets: all, customers or installations, never empty', () => {
    expect(buildTargets('all', ['c'], ['i'])).toEqual({ ok: true, value: { all: true } });
    expect(buildTargets('customers', [], [])).toEqual({ ok: false, message: 'Pick at least one customer' });
    expect(buildTargets('customers', ['c1', 'c1', 'c2'], ['i'])).toEqual({ ok: true, value: { customerIds: ['c1', 'c2'] } });
    expect(buildTargets('installations', ['c'], [])).toEqual({ ok: false, message: 'Pick at least one installation' });
    expect(buildTargets('installations', [], ['i1'])).toEqual({ ok: true, value: { installationIds: ['i1'] } });
  });

  it('the POST /rollouts body, valid for the protocol', () => {
    const strategy = { ...defaultStrategyForm(), waves: wavesToRows([{ count: 1 }, { percent: 100 }]), maxParallel: 2 };
    const built = buildRolloutBody({ releaseId: RELEASE, mode: 'installations', customerIds: [], installationIds: [INST], strategy });
    expect(built.ok).toBe(true);
    if (!built.ok) return;
    expect(built.value).toEqual({ releaseId: RELEASE, targets: { installationIds: [INST] }, strategy: { ...DEFAULT_STRATEGY, waves: [{ count: 1 }, { percent: 100 }], maxParallel: 2 } });
    expect(CreateRolloutBodySchema.safeParse(built.value).success).toBe(true);
    expect(buildRolloutBody({ releaseId: '', mode: 'all', customerIds: [], installationIds: [], strategy })).toEqual({ ok: false, message: 'Pick a release' });
    expect(buildRolloutBody({ releaseId: RELEASE, mode: 'all', customerIds: [], installationIds: [], strategy: { ...strategy, maxParallel: 0 } })).toMatchObject({ ok: false });
  });
});

describe('waveSizes (as the hub assigns waves)', () => {
  it('matches the hub for the documented examples', () => {
    expect(waveSizes(50, [{ count: 1 }, { percent: 10 }, { percent: 100 }])).toEqual([1, 5, 44]);
    expect(waveSizes(6, [{ count: 1 }, { percent: 100 }])).toEqual([1, 5]);
    expect(waveSizes(6, [{ percent: 100 }])).toEqual([6]);
  });

  it('percentages round up to at least one, leftovers join the last wave, nothing for nothing', () => {
    expect(waveSizes(3, [{ percent: 1 }])).toEqual([3]);
    expect(waveSizes(3, [{ percent: 1 }, { percent: 1 }])).toEqual([1, 2]);
    expect(waveSizes(2, [{ count: 5 }, { percent: 50 }])).toEqual([2, 0]);
    expect(waveSizes(0, [{ count: 1 }, { percent: 100 }])).toEqual([0, 0]);
    expect(waveSizes(4, [{ count: 1 }, { count: 1 }])).toEqual([1, 3]);
  });
});

it('describes waves: the first percentage is of all installations', () => {
  expect(describeWaves([{ percent: 100 }])).toBe('all installations');
  expect(describeWaves([{ percent: 25 }, { percent: 100 }])).toBe('25 % of the installations, then the rest');
  expect(describeWaves([{ count: 2 }, { installationIds: [INST] }])).toBe('2 installations, then 1 named installation');
});

it('describes a strategy in one line', () => {
  expect(describeStrategy(DEFAULT_STRATEGY)).toBe('all at once · 10 at a time · no soak · health timeout 10 min · on failure pause · in maintenance windows');
  expect(describeStrategy({ ...DEFAULT_STRATEGY, waves: [{ count: 1 }, { percent: 10 }, { percent: 100 }], soakSeconds: 1800, failurePolicy: 'continue', maxFailures: 2, respectMaintenanceWindows: false, requireCustomerApproval: true })).toBe(
    '1 installation, then 10 % of the rest, then the rest · 10 at a time · soak 30 min · health timeout 10 min · on failure continue (max 2) · ignoring maintenance windows · customer approval required',
  );
});
