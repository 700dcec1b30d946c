import { Health, type Installation } from '@flotilla/protocol';
import { shownHealth } from './installation-status';

/**
 * The fleet page's search, filters and sort (pure). The list is filtered and sorted once when the
 * query or the whole list changes (`buildView`); a live patch then moves only the rows it changed
 * (`patchView`: a binary search and a splice, no re-sort).
 */

export const SORT_KEYS = ['customer', 'name', 'environment', 'desired-version', 'running-version', 'health', 'online', 'uptime', 'last-seen'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDir = 'asc' | 'desc';
export const ONLINE_VALUES = ['online', 'offline'] as const;
export type OnlineFilter = '' | (typeof ONLINE_VALUES)[number];
/** The filter value for "no track" (tracks are UUIDs) and "not running a release". */
export const NONE = 'none';

export interface FleetFilters {
  /** Search text: every word must appear in the installation's or its customer's name (case-insensitive). */
  q: string;
  /** A customer id; '' = all. */
  customer: string;
  environment: string;
  /** A track id, `none` (no track); '' = all. */
  track: string;
  /** A running version, `none` (nothing reported); '' = all. */
  release: string;
  /** A health value; '' = all. */
  health: string;
  online: OnlineFilter;
}

export interface FleetQuery extends FleetFilters {
  sort: SortKey;
  dir: SortDir;
}

export const DEFAULT_FLEET_QUERY: Readonly<FleetQuery> = Object.freeze({
  q: '',
  customer: '',
  environment: '',
  track: '',
  release: '',
  health: '',
  online: '',
  sort: 'customer',
  dir: 'asc',
});

export const FILTER_NAMES = ['customer', 'environment', 'track', 'release', 'health', 'online'] as const;
export type FilterName = (typeof FILTER_NAMES)[number];

type QueryValue = string | null | undefined | (string | null)[];

function first(value: QueryValue): string {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' ? v : '';
}

function oneOf<T extends string>(value: string, allowed: readonly T[], fallback: T): T {
  return (allowed as readonly string[]).includes(value) ? (value as T) : fallback;
}

/** The query from a URL query (`route.query`); unknown or malformed values fall back to the defaults. */
export function parseFleetQuery(query: Readonly<Record<string, QueryValue>>): FleetQuery {
  const sort = oneOf(first(query.sort), SORT_KEYS, DEFAULT_FLEET_QUERY.sort);
  return {
    q: first(query.q).slice(0, 200),
    customer: first(query.customer),
    environment: first(query.environment),
    track: first(query.track),
    release: first(query.release),
    health: oneOf(first(query.health), ['', ...Health.options], ''),
    online: oneOf<OnlineFilter>(first(query.online), ['', ...ONLINE_VALUES], ''),
    sort,
    dir: oneOf<SortDir>(first(query.dir), ['asc', 'desc'], 'asc'),
  };
}

/** The URL query of a fleet query: only what differs from the defaults, so the plain page stays `/`. */
export function fleetQueryToRoute(query: FleetQuery): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(DEFAULT_FLEET_QUERY) as (keyof FleetQuery)[]) {
    const value = key === 'q' ? query.q.trim() : query[key];
    if (value !== DEFAULT_FLEET_QUERY[key]) out[key] = value;
  }
  return out;
}

export function hasFilters(query: FleetFilters): boolean {
  return query.q.trim() !== '' || FILTER_NAMES.some((name) => query[name] !== '');
}

/** The next sort after a click on a column header: the same column flips, another starts ascending. */
export function nextSort(query: Pick<FleetQuery, 'sort' | 'dir'>, key: SortKey): { sort: SortKey; dir: SortDir } {
  return query.sort === key ? { sort: key, dir: query.dir === 'asc' ? 'desc' : 'asc' } : { sort: key, dir: 'asc' };
}

/** Lower-cased "name customer" per row object (rows are replaced, never mutated, on a patch). */
const searchText = new WeakMap<Installation, string>();
function haystack(row: Installation): string {
  let text = searchText.get(row);
  if (text === undefined) {
    text = `${row.name}\n${row.customerName}`.toLowerCase();
    searchText.set(row, text);
  }
  return text;
}

export function searchTerms(q: string): string[] {
  return q.toLowerCase().split(/\s+/).filter((t) => t !== '');
}

/** A predicate for the filters (the search words are split once, not per row). */
export function matcher(filters: FleetFilters): (row: Installation) => boolean {
  const terms = searchTerms(filters.q);
  const { customer, environment, track, release, health, online } = filters;
  return (row) => {
    if (customer !== '' && row.customerId !== customer) return false;
    if (environment !== '' && row.environment !== environment) return false;
    if (track !== '' && (row.trackId ?? NONE) !== track) return false;
    if (release !== '' && (row.status.runningVersion ?? NONE) !== release) return false;
    if (health !== '' && shownHealth(row.status) !== health) return false; // as shown: unknown while offline
    if (online !== '' && row.status.online !== (online === 'online')) return false;
    if (terms.length > 0) {
      const text = haystack(row);
      for (const term of terms) if (!text.includes(term)) return false;
    }
    return true;
  };
}

const collator = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

/** Worst first when ascending. */
const HEALTH_RANK: Record<Health, number> = { failed: 0, degraded: 1, progressing: 2, stopped: 3, unknown: 4, healthy: 5 };

type Key = string | number | null;
const KEY_OF: Record<SortKey, (row: Installation) => Key> = {
  customer: (r) => r.customerName,
  name: (r) => r.name,
  environment: (r) => r.environment,
  'desired-version': (r) => r.status.desiredVersion,
  'running-version': (r) => r.status.runningVersion,
  health: (r) => HEALTH_RANK[shownHealth(r.status)],
  // Offline first when ascending.
  online: (r) => (r.status.online ? 1 : 0),
  uptime: (r) => r.uptime24h,
  'last-seen': (r) => (r.status.lastSeenAt === null ? null : Date.parse(r.status.lastSeenAt)),
};

function compareKeys(a: Key, b: Key): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return collator.compare(String(a), String(b));
}

/** The stable order after the sort column: customer, name, environment, id (the hub's unique key). */
function compareTies(a: Installation, b: Installation): number {
  return collator.compare(a.customerName, b.customerName) || collator.compare(a.name, b.name) || collator.compare(a.environment, b.environment) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * A total order for the sort: the column (text naturally: "1.10.0" after "1.9.0"; health worst
 * first; offline first), missing values last in either direction, then customer, name,
 * environment and id. Total: two rows compare equal only when they are the same installation.
 */
export function comparator(sort: SortKey, dir: SortDir): (a: Installation, b: Installation) => number {
  const key = KEY_OF[sort];
  const sign = dir === 'asc' ? 1 : -1;
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      if (ka === null) return 1;
      if (kb === null) return -1;
      const c = compareKeys(ka, kb);
      if (c !== 0) return sign * c;
    }
    return compareTies(a, b);
  };
}

/** The rows that match the query, in its order (a new array). */
export function buildView(items: readonly Installation[], query: FleetQuery): Installation[] {
  const matches = matcher(query);
  return items.filter(matches).sort(comparator(query.sort, query.dir));
}

/** The first position in the sorted `view` whose row does not come before `row`. */
function lowerBound(view: readonly Installation[], row: Installation, compare: (a: Installation, b: Installation) => number): number {
  let lo = 0;
  let hi = view.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compare(view[mid] as Installation, row) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** A change to one installation: `before` undefined = added, `after` undefined = removed. */
export interface FleetChange {
  before: Installation | undefined;
  after: Installation | undefined;
}

/** What a query's view needs to patch itself: its predicate and order, built once per query. */
export interface ViewRules {
  matches: (row: Installation) => boolean;
  compare: (a: Installation, b: Installation) => number;
}

export function viewRules(query: FleetQuery): ViewRules {
  return { matches: matcher(query), compare: comparator(query.sort, query.dir) };
}

/**
 * Applies one change to a view built with the same rules, in place: a row whose place is unchanged
 * is replaced where it is; otherwise it is taken out (found by binary search: the view is ordered
 * by a total order) and put in at its new place. Returns whether the view changed.
 */
export function patchView(view: Installation[], change: FleetChange, rules: ViewRules): boolean {
  const { before, after } = change;
  const wasIn = before !== undefined && rules.matches(before);
  const isIn = after !== undefined && rules.matches(after);
  let at = -1;
  if (wasIn) {
    at = lowerBound(view, before, rules.compare);
    if (view[at]?.id !== before.id) at = view.findIndex((r) => r.id === before.id); // not where its order says: find it anyway
  }
  if (at >= 0 && isIn && rules.compare(before as Installation, after) === 0) {
    view[at] = after;
    return true;
  }
  if (at >= 0) view.splice(at, 1);
  if (isIn) view.splice(lowerBound(view, after, rules.compare), 0, after);
  return at >= 0 || isIn;
}

/** Above this share of the view changed at once, building it again is cheaper than patching. */
export const REBUILD_SHARE = 0.25;

export interface SelectOption {
  value: string;
  label: string;
}

export interface FleetFilterOptions {
  customer: SelectOption[];
  environment: SelectOption[];
  track: SelectOption[];
  release: SelectOption[];
  health: SelectOption[];
  online: SelectOption[];
}

function sortedOptions(map: Map<string, string>): SelectOption[] {
  return [...map].map(([value, label]) => ({ value, label })).sort((a, b) => collator.compare(a.label, b.label));
}

/**
 * The choices of each filter select, from the installations present (tracks named from `trackNames`;
 * an unknown track shows its id). `selected` values absent from the list are kept, so a link with a
 * filter nothing matches any more still shows what it filters on.
 */
export function filterOptions(items: readonly Installation[], trackNames: ReadonlyMap<string, string>, selected: FleetFilters): FleetFilterOptions {
  const customers = new Map<string, string>();
  const environments = new Map<string, string>();
  const tracks = new Map<string, string>();
  const releases = new Map<string, string>();
  let noTrack = false;
  let noRelease = false;
  for (const row of items) {
    customers.set(row.customerId, row.customerName);
    environments.set(row.environment, row.environment);
    if (row.trackId === null) noTrack = true;
    else tracks.set(row.trackId, trackNames.get(row.trackId) ?? row.trackId);
    if (row.status.runningVersion === null) noRelease = true;
    else releases.set(row.status.runningVersion, row.status.runningVersion);
  }
  const keep = (map: Map<string, string>, value: string) => {
    if (value !== '' && value !== NONE && !map.has(value)) map.set(value, value);
  };
  keep(customers, selected.customer);
  keep(environments, selected.environment);
  keep(tracks, selected.track);
  keep(releases, selected.release);
  const releaseOptions = sortedOptions(releases).reverse(); // newest first
  return {
    customer: sortedOptions(customers),
    environment: sortedOptions(environments),
    track: [...sortedOptions(tracks), ...(noTrack || selected.track === NONE ? [{ value: NONE, label: 'No track' }] : [])],
    release: [...releaseOptions, ...(noRelease || selected.release === NONE ? [{ value: NONE, label: 'None reported' }] : [])],
    health: Health.options.map((h) => ({ value: h, label: h })),
    online: ONLINE_VALUES.map((o) => ({ value: o, label: o })),
  };
}
