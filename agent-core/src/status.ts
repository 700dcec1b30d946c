import { storableText, type ComponentStatus, type Drift, type Health } from '@flotilla/protocol';

/** The protocol's limit on a status message. */
export const MAX_MESSAGE = 8000;

/** One component's observed state before `since` is attached. */
export interface Observation {
  name: string;
  version: string | null;
  health: Health;
  message?: string;
  /** The runtime is not at the revision the agent applied (from the driver's health sample). */
  drift?: Drift;
}

export function truncateMessage(message: string | undefined): string | undefined {
  if (message === undefined) return undefined;
  const trimmed = message.trim();
  if (trimmed === '') return undefined;
  const marker = '… (truncated)';
  // Cut before making it storable: a cut through an emoji leaves half of it, which becomes U+FFFD.
  return storableText(trimmed.length <= MAX_MESSAGE ? trimmed : `${trimmed.slice(0, MAX_MESSAGE - marker.length)}${marker}`);
}

/**
 * Merges new observations into the previous statuses. `since` is kept while a component's health
 * stays the same and set to `now` when it changes (or the component is new). `changed` is true when
 * any component appeared, disappeared, or changed health, version, message or drift.
 */
export function nextStatuses(
  previous: readonly ComponentStatus[],
  observations: readonly Observation[],
  now: string,
): { statuses: ComponentStatus[]; changed: boolean } {
  const before = new Map(previous.map((s) => [s.name, s]));
  let changed = previous.length !== observations.length;
  const statuses = [...observations]
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((o): ComponentStatus => {
      const message = truncateMessage(o.message);
      const prev = before.get(o.name);
      if (prev === undefined || prev.health !== o.health || prev.version !== o.version || prev.message !== message || !sameDrift(prev.drift, o.drift)) {
        changed = true;
      }
      const since = prev !== undefined && prev.health === o.health ? prev.since : now;
      return { name: o.name, version: o.version, health: o.health, ...(message === undefined ? {} : { message }), since, ...(o.drift === undefined ? {} : { drift: o.drift }) };
    });
  return { statuses, changed };
}

function sameDrift(a: Drift | undefined, b: Drift | undefined): boolean {
  return a?.appliedRevision === b?.appliedRevision && a?.actualRevision === b?.actualRevision;
}
