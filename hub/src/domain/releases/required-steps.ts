/**
 * Required releases, the pure part: which required releases an installation must run on its way
 * from the release it runs to a target release, and whether going to the target would take it
 * back below a required release it already runs. "Behind" is semver order within the track (the
 * order of `GET /tracks/:id/releases` and of the customer's available updates). No I/O.
 *
 * - Going up (target newer than current): every required release strictly between them, oldest
 *   first, is a step; the target comes after them. A rescinded release is withdrawn for good and
 *   never a step; a required release on hold is a step that cannot be taken now (`onHold`).
 * - Going down (target older than current): refused when a required release lies above the
 *   target and at or below the current one (`below`: the newest such release, the floor).
 * - An installation that runs no release (a fresh one, or a single application version) is behind
 *   nothing: it goes straight to the target.
 */
import semver from 'semver';

export interface TrackRelease {
  id: string;
  version: string;
  required: boolean;
  status: 'draft' | 'ready' | 'hold' | 'rescinded';
}

export type RequiredPath<R extends TrackRelease = TrackRelease> =
  /** `steps`: the required releases to run first, oldest first (empty: straight to the target). */
  | { kind: 'steps'; steps: R[] }
  /** A required step is on hold: nothing can pass it until it is resumed. */
  | { kind: 'on-hold'; steps: R[]; onHold: R }
  /** The target is below `floor`, a required release the installation already runs or passed. */
  | { kind: 'below'; floor: R };

/** Required releases that still count: locked and not withdrawn. */
const counts = (r: TrackRelease) => r.required && (r.status === 'ready' || r.status === 'hold');

export function requiredPath<R extends TrackRelease>(releases: readonly R[], current: string | null, target: string): RequiredPath<R> {
  if (current === null || !semver.valid(current) || !semver.valid(target) || semver.eq(current, target)) return { kind: 'steps', steps: [] };
  const required = releases.filter((r) => counts(r) && semver.valid(r.version));
  if (semver.lt(target, current)) {
    const crossed = required.filter((r) => semver.gt(r.version, target) && semver.lte(r.version, current)).sort((a, b) => semver.rcompare(a.version, b.version));
    const floor = crossed[0];
    return floor ? { kind: 'below', floor } : { kind: 'steps', steps: [] };
  }
  const steps = required.filter((r) => semver.gt(r.version, current) && semver.lt(r.version, target)).sort((a, b) => semver.compare(a.version, b.version));
  const onHold = steps.find((r) => r.status === 'hold');
  return onHold ? { kind: 'on-hold', steps, onHold } : { kind: 'steps', steps };
}

/** "2.0.0" or "2.0.0, 2.1.0 and 2.2.0", for messages. */
export function versionList(releases: readonly Pick<TrackRelease, 'version'>[]): string {
  const v = releases.map((r) => r.version);
  return v.length <= 1 ? (v[0] ?? '') : `${v.slice(0, -1).join(', ')} and ${v[v.length - 1] ?? ''}`;
}
