import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE, nextStatuses, truncateMessage } from './status.js';

const T1 = '2026-01-01T00:00:00.000Z';
const T2 = '2026-01-01T00:01:00.000Z';

describe('nextStatuses', () => {
  it('sets since when a component appears and keeps it while health is unchanged', () => {
    const first = nextStatuses([], [{ name: 'web', version: '1', health: 'progressing' }], T1);
    expect(first).toEqual({ changed: true, statuses: [{ name: 'web', version: '1', health: 'progressing', since: T1 }] });
    const same = nextStatuses(first.statuses, [{ name: 'web', version: '1', health: 'progressing' }], T2);
    expect(same).toEqual({ changed: false, statuses: first.statuses });
  });

  it('resets since on a health change, not on a message or version change', () => {
    const a = nextStatuses([], [{ name: 'web', version: '1', health: 'healthy' }], T1).statuses;
    const msg = nextStatuses(a, [{ name: 'web', version: '2', health: 'healthy', message: 'x' }], T2);
    expect(msg.changed).toBe(true);
    expect(msg.statuses[0]).toMatchObject({ version: '2', message: 'x', since: T1 });
    const down = nextStatuses(msg.statuses, [{ name: 'web', version: '2', health: 'failed', message: 'x' }], T2);
    expect(down.statuses[0]?.since).toBe(T2);
  });

  it('reports removed components as a change', () => {
    const a = nextStatuses([], [{ name: 'web', version: '1', health: 'healthy' }], T1).statuses;
    expect(nextStatuses(a, [], T2)).toEqual({ changed: true, statuses: [] });
  });

  it('reports drift appearing, changing and clearing as a change, without resetting since', () => {
    const a = nextStatuses([], [{ name: 'api', version: '1', health: 'healthy' }], T1).statuses;
    const drifted = nextStatuses(a, [{ name: 'api', version: '1', health: 'healthy', drift: { appliedRevision: 5, actualRevision: 7 } }], T2);
    expect(drifted.changed).toBe(true);
    expect(drifted.statuses[0]).toEqual({ name: 'api', version: '1', health: 'healthy', since: T1, drift: { appliedRevision: 5, actualRevision: 7 } });
    expect(nextStatuses(drifted.statuses, [{ name: 'api', version: '1', health: 'healthy', drift: { appliedRevision: 5, actualRevision: 7 } }], T2).changed).toBe(false);
    expect(nextStatuses(drifted.statuses, [{ name: 'api', version: '1', health: 'healthy', drift: { appliedRevision: 5, actualRevision: 8 } }], T2).changed).toBe(true);
    const cleared = nextStatuses(drifted.statuses, [{ name: 'api', version: '1', health: 'healthy' }], T2);
    expect(cleared.changed).toBe(true);
    expect(cleared.statuses[0]?.drift).toBeUndefined();
  });

  it('truncates long messages and drops blank ones', () => {
    expect(truncateMessage('  ')).toBeUndefined();
    expect(truncateMessage('x'.repeat(MAX_MESSAGE + 100))).toHaveLength(MAX_MESSAGE);
  });
});
