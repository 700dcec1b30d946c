import { describe, expect, it } from 'vitest';
import type { Health, Installation } from '@flotilla/protocol';
import {
  DEFAULT_FLEET_QUERY,
  NONE,
  buildView,
  comparator,
  filterOptions,
  fleetQueryToRoute,
  hasFilters,
  nextSort,
  parseFleetQuery,
  patchView,
  viewRules,
  type FleetQuery,
  type SortKey,
} from './fleet-view';
import { T0, T1, T2, installation } from '../testing/fixtures';

const q = (patch: Partial<FleetQuery> = {}): FleetQuery => ({ ...DEFAULT_FLEET_QUERY, ...patch });
const ids = (rows: readonly Installation[]) => rows.map((r) => r.id);

const HEALTHS: Health[] = ['healthy', 'degraded', 'failed', 'progressing', 'unknown', 'stopped'];

/** A deterministic fleet: customers, environments, tracks, versions and states spread over n rows. */
function fleet(n: number): Installation[] {
  return Array.from({ length: n }, (_, i) =>
    installation(`id-${String(i).padStart(6, '0')}`, {
      customerId: `c${i % 20}`,
      customerName: `Customer ${i % 20}`,
      name: `site-${(i * 7919) % n}`,
      environment: ['production', 'staging', 'dev'][i % 3] as string,
      trackId: i % 10 === 0 ? null : i % 2 === 0 ? 't-stable' : 't-beta',
      uptime24h: i % 5 === 0 ? null : (i % 1000) / 10,
      status: {
        health: HEALTHS[i % HEALTHS.length] as Health,
        online: i % 4 !== 0,
        runningVersion: i % 9 === 0 ? null : `1.${i % 12}.0`,
        desiredVersion: `1.${i % 12}.0`,
        lastSeenAt: i % 6 === 0 ? null : new Date(Date.parse(T0) + i * 1000).toISOString(),
      },
    }),
  );
}

describe('the URL query', () => {
  it('round-trips a query, leaving out the defaults', () => {
    const query = q({ q: ' acme  ', customer: 'c1', environment: 'staging', track: NONE, release: '1.2.0', health: 'failed', online: 'offline', sort: 'health', dir: 'desc' });
    const route = fleetQueryToRoute(query);
    expect(route).toEqual({ q: 'acme', customer: 'c1', environment: 'staging', track: 'none', release: '1.2.0', health: 'failed', online: 'offline', sort: 'health', dir: 'desc' });
    expect(parseFleetQuery(route)).toEqual({ ...query, q: 'acme' });
    expect(fleetQueryToRoute(q())).toEqual({});
  });

  it('falls back to the defaults for unknown or malformed values', () => {
    expect(parseFleetQuery({ sort: 'password', dir: 'sideways', health: 'great', online: 'maybe', q: ['first', 'second'], customer: null })).toEqual(q({ q: 'first' }));
    expect(parseFleetQuery({})).toEqual(q());
  });

  it('says whether anything is filtered', () => {
    expect(hasFilters(q({ sort: 'name', dir: 'desc' }))).toBe(false);
    expect(hasFilters(q({ q: '  ' }))).toBe(false);
    expect(hasFilters(q({ q: 'x' }))).toBe(true);
    expect(hasFilters(q({ online: 'online' }))).toBe(true);
  });

  it('flips the direction on the same column and starts another ascending', () => {
    expect(nextSort({ sort: 'name', dir: 'asc' }, 'name')).toEqual({ sort: 'name', dir: 'desc' });
    expect(nextSort({ sort: 'name', dir: 'desc' }, 'name')).toEqual({ sort: 'name', dir: 'asc' });
    expect(nextSort({ sort: 'name', dir: 'desc' }, 'health')).toEqual({ sort: 'health', dir: 'asc' });
  });
});

describe('filtering', () => {
  const rows = [
    installation('a', { name: 'Berlin main', customerId: 'c1', customerName: 'Acme GmbH', environment: 'production', trackId: 't1', status: { health: 'healthy', online: true, runningVersion: '1.2.0' } }),
    installation('b', { name: 'Paris edge', customerId: 'c2', customerName: 'Globex', environment: 'staging', trackId: null, status: { health: 'failed', online: false, runningVersion: null } }),
    installation('c', { name: 'acme-lab', customerId: 'c3', customerName: 'Initech', environment: 'production', trackId: 't2', status: { health: 'degraded', online: true, runningVersion: '2.0.0' } }),
  ];

  it('searches names and customer names, every word, ignoring case', () => {
    expect(ids(buildView(rows, q({ q: 'ACME' })))).toEqual(['a', 'c']);
    expect(ids(buildView(rows, q({ q: 'acme berlin' })))).toEqual(['a']);
    expect(ids(buildView(rows, q({ q: 'globex paris' })))).toEqual(['b']);
    expect(ids(buildView(rows, q({ q: 'nowhere' })))).toEqual([]);
  });

  it('filters by customer, environment, track, release, health and online', () => {
    expect(ids(buildView(rows, q({ customer: 'c2' })))).toEqual(['b']);
    expect(ids(buildView(rows, q({ environment: 'production' })))).toEqual(['a', 'c']);
    expect(ids(buildView(rows, q({ track: 't2' })))).toEqual(['c']);
    expect(ids(buildView(rows, q({ track: NONE })))).toEqual(['b']);
    expect(ids(buildView(rows, q({ release: '1.2.0' })))).toEqual(['a']);
    expect(ids(buildView(rows, q({ release: NONE })))).toEqual(['b']);
    // Health as shown: b reported failed, but its agent is offline, so it shows (and filters as) unknown.
    expect(ids(buildView(rows, q({ health: 'failed' })))).toEqual([]);
    expect(ids(buildView(rows, q({ health: 'unknown' })))).toEqual(['b']);
    expect(ids(buildView(rows, q({ online: 'online' })))).toEqual(['a', 'c']);
    expect(ids(buildView(rows, q({ online: 'offline' })))).toEqual(['b']);
    expect(ids(buildView(rows, q({ environment: 'production', online: 'online', health: 'degraded' })))).toEqual(['c']);
  });

  it('offers the values present, keeps a selected value that is gone, and names tracks', () => {
    const options = filterOptions(rows, new Map([['t1', 'Stable']]), q({ release: '0.9.0', customer: 'gone' }));
    expect(options.customer).toEqual([
      { value: 'c1', label: 'Acme GmbH' },
      { value: 'c2', label: 'Globex' },
      { value: 'gone', label: 'gone' },
      { value: 'c3', label: 'Initech' },
    ]);
    expect(options.environment.map((o) => o.value)).toEqual(['production', 'staging']);
    expect(options.track).toEqual([
      { value: 't1', label: 'Stable' },
      { value: 't2', label: 't2' },
      { value: NONE, label: 'No track' },
    ]);
    expect(options.release.map((o) => o.value)).toEqual(['2.0.0', '1.2.0', '0.9.0', NONE]);
    expect(options.health.map((o) => o.value)).toContain('failed');
    expect(options.online.map((o) => o.value)).toEqual(['online', 'offline']);
  });
});

describe('sorting', () => {
  it('sorts versions naturally, health worst first, offline first, missing values last either way', () => {
    const rows = [
      installation('a', { name: 'a', status: { runningVersion: '1.10.0', health: 'healthy', online: true } }),
      installation('b', { name: 'b', status: { runningVersion: null, health: 'failed', online: false } }),
      installation('c', { name: 'c', status: { runningVersion: '1.9.0', health: 'degraded', online: true } }),
    ];
    expect(ids(buildView(rows, q({ sort: 'running-version' })))).toEqual(['c', 'a', 'b']);
    expect(ids(buildView(rows, q({ sort: 'running-version', dir: 'desc' })))).toEqual(['a', 'c', 'b']);
    expect(ids(buildView(rows, q({ sort: 'health' })))).toEqual(['c', 'b', 'a']); // b offline: unknown
    expect(ids(buildView(rows, q({ sort: 'online' })))).toEqual(['b', 'a', 'c']);
    expect(ids(buildView(rows, q({ sort: 'name', dir: 'desc' })))).toEqual(['c', 'b', 'a']);
  });

  it('sorts by last seen and uptime as numbers, and breaks ties by customer, name, environment, id', () => {
    const rows = [
      installation('x2', { customerName: 'B', name: 'n', uptime24h: 50, status: { lastSeenAt: T2 } }),
      installation('x1', { customerName: 'B', name: 'n', uptime24h: 50, status: { lastSeenAt: T1 } }),
      installation('x3', { customerName: 'A', name: 'z', uptime24h: 9.5, status: { lastSeenAt: null } }),
    ];
    expect(ids(buildView(rows, q({ sort: 'uptime' })))).toEqual(['x3', 'x1', 'x2']);
    expect(ids(buildView(rows, q({ sort: 'last-seen' })))).toEqual(['x1', 'x2', 'x3']);
    expect(ids(buildView(rows, q({ sort: 'last-seen', dir: 'desc' })))).toEqual(['x2', 'x1', 'x3']);
    expect(ids(buildView(rows, q()))).toEqual(['x3', 'x1', 'x2']);
  });

  it('is a total order: only a row compares equal to itself', () => {
    const rows = fleet(300);
    for (const key of ['customer', 'health', 'online', 'running-version'] as SortKey[]) {
      const compare = comparator(key, 'asc');
      const view = [...rows].sort(compare);
      for (let i = 1; i < view.length; i++) expect(compare(view[i - 1] as Installation, view[i] as Installation)).toBeLessThan(0);
    }
  });
});

describe('live patches', () => {
  /** A view patched change by change must equal the view built from scratch over the patched list. */
  function check(query: FleetQuery, rows: Installation[], changes: [number, Installation | undefined][]) {
    const rules = viewRules(query);
    const view = buildView(rows, query);
    const list = [...rows];
    for (const [at, after] of changes) {
      const before = list[at];
      if (after === undefined) list.splice(at, 1);
      else if (before?.id === after.id) list[at] = after;
      else list.push(after);
      patchView(view, { before: before?.id === after?.id || after === undefined ? before : undefined, after }, rules);
    }
    expect(ids(view)).toEqual(ids(buildView(list, query)));
  }

  it('moves a row whose sort value changed, takes out a row that stops matching, adds one that starts', () => {
    const rows = fleet(500);
    const row = (i: number) => rows[i] as Installation;
    const withStatus = (i: number, s: Partial<Installation['status']>) => ({ ...row(i), status: { ...row(i).status, ...s } });
    for (const query of [q({ sort: 'health' }), q({ sort: 'running-version', dir: 'desc', online: 'online' }), q({ health: 'failed', sort: 'last-seen' }), q({ q: 'site-1', sort: 'name' })]) {
      check(query, rows, [
        [3, withStatus(3, { health: 'failed' })],
        [10, withStatus(10, { online: false, lastSeenAt: T2 })],
        [11, withStatus(11, { online: true, runningVersion: '9.0.0' })],
        [12, withStatus(12, { health: 'healthy', runningVersion: null })],
        [40, undefined],
        [9999, installation('new', { name: 'site-1x', status: { health: 'failed', online: true, runningVersion: '1.0.0' } })],
      ]);
    }
  });

  it('replaces a row in place when its place is unchanged, with a handful of comparisons', () => {
    const rows = fleet(10_000);
    const query = q({ sort: 'health' });
    const view = buildView(rows, query);
    const row = view[5000] as Installation;
    let comparisons = 0;
    const rules = viewRules(query);
    const counting = { matches: rules.matches, compare: (a: Installation, b: Installation) => (comparisons++, rules.compare(a, b)) };
    const after = { ...row, status: { ...row.status, lastSeenAt: T2 } };
    expect(patchView(view, { before: row, after }, counting)).toBe(true);
    expect(view[5000]).toBe(after);
    expect(comparisons).toBeLessThanOrEqual(20); // log2(10 000) ≈ 14, plus one: no re-sort

    comparisons = 0;
    const moved = { ...row, status: { ...row.status, health: 'failed' as const } };
    patchView(view, { before: after, after: moved }, counting);
    expect(comparisons).toBeLessThanOrEqual(35);
    const at = view.indexOf(moved);
    expect(at).toBeGreaterThanOrEqual(0);
    expect(view.slice(0, at + 1).every((r) => r.status.health === 'failed')).toBe(true);
  });

  it('reports no change for a row outside the view before and after', () => {
    const rows = fleet(50);
    const query = q({ health: 'failed' });
    const view = buildView(rows, query);
    const healthy = rows.find((r) => r.status.health === 'healthy') as Installation;
    expect(patchView(view, { before: healthy, after: { ...healthy, name: 'renamed' } }, viewRules(query))).toBe(false);
    expect(ids(view)).toEqual(ids(buildView(rows, query)));
  });
});

describe('at 10 000 installations', () => {
  it('filters and sorts in a few milliseconds', () => {
    const rows = fleet(10_000);
    buildView(rows, q({ sort: 'name' })); // warm up the JIT and the collator
    const timings: number[] = [];
    for (const query of [q({ sort: 'name' }), q({ sort: 'running-version', dir: 'desc' }), q({ q: 'site-12', sort: 'health' }), q({ environment: 'staging', online: 'online', sort: 'last-seen' })]) {
      const t0 = performance.now();
      buildView(rows, query);
      timings.push(performance.now() - t0);
    }
    // A few ms on a quiet machine; the bound is loose for a busy shared one, yet far below a quadratic sort.
    expect(Math.max(...timings), timings.map((t) => t.toFixed(1)).join(', ')).toBeLessThan(150);
  });
});
