import type { AgentPresence, Installation, InstallationStatus } from '@flotilla/protocol';

/** True when ISO timestamp `a` is strictly earlier than `b` (unparseable values never count as older). */
export function isBefore(a: string | null, b: string | null): boolean {
  if (a === null || b === null) return false;
  const ta = Date.parse(a);
  const tb = Date.parse(b);
  if (Number.isNaN(ta) || Number.isNaN(tb)) return false;
  return ta < tb;
}

/**
 * The row with the status of an `installation:status` event. A status older than the one the row
 * has (e.g. an event that raced the list fetch) is ignored: the same row object comes back.
 */
export function mergeStatus(row: Installation, status: InstallationStatus): Installation {
  if (status.installationId !== row.id) return row;
  if (isBefore(status.updatedAt, row.status.updatedAt)) return row;
  return { ...row, status: { ...status } };
}

/**
 * The row with the online flag and last-seen time of an `agent:presence` event; an agent coming
 * online is the installation's agent (new credentials give it a new id).
 */
export function mergePresence(row: Installation, presence: AgentPresence): Installation {
  if (presence.installationId !== row.id) return row;
  const current = row.status.lastSeenAt;
  const lastSeenAt = current !== null && isBefore(presence.at, current) ? current : presence.at;
  const agentId = presence.online ? presence.agentId : row.agentId;
  if (row.status.online === presence.online && lastSeenAt === current && agentId === row.agentId) return row;
  return { ...row, agentId, status: { ...row.status, online: presence.online, lastSeenAt } };
}

/** Customer, then installation name, then environment; stable for equal keys. */
export function sortInstallations(items: readonly Installation[]): Installation[] {
  return [...items].sort(
    (a, b) =>
      a.customerName.localeCompare(b.customerName) ||
      a.name.localeCompare(b.name) ||
      a.environment.localeCompare(b.environment) ||
      a.id.localeCompare(b.id),
  );
}

export type FleetEvent =
  | { type: 'status'; payload: InstallationStatus }
  | { type: 'presence'; payload: AgentPresence };

/** Applies one live event to the list in place. Returns false when no row has that installation. */
export function applyFleetEvent(items: Installation[], index: ReadonlyMap<string, number>, event: FleetEvent): boolean {
  const position = index.get(event.payload.installationId);
  const row = position === undefined ? undefined : items[position];
  if (position === undefined || row === undefined) return false;
  const next = event.type === 'status' ? mergeStatus(row, event.payload) : mergePresence(row, event.payload);
  if (next !== row) items[position] = next;
  return true;
}

export function indexById(items: readonly Installation[]): Map<string, number> {
  return new Map(items.map((item, position) => [item.id, position]));
}

/**
 * The list with an `installation:changed` row inserted or replaced, in sort order. The event's
 * status is kept unless the row has a newer one (statuses also arrive on their own). Pure.
 */
export function upsertInstallation(items: readonly Installation[], installation: Installation): Installation[] {
  const current = items.find((i) => i.id === installation.id);
  let row = current !== undefined && isBefore(installation.status.updatedAt, current.status.updatedAt) ? { ...installation, status: current.status } : installation;
  // Presence events do not move `updatedAt`: a later one (e.g. the old agent dropped by new
  // credentials) keeps its online flag over the event's older read.
  if (current !== undefined && isBefore(row.status.lastSeenAt, current.status.lastSeenAt)) {
    row = { ...row, status: { ...row.status, online: current.status.online, lastSeenAt: current.status.lastSeenAt } };
  }
  return sortInstallations([...items.filter((i) => i.id !== installation.id), row]);
}

/** The list without an `installation:removed` row. Pure. */
export function withoutInstallation(items: readonly Installation[], installationId: string): Installation[] {
  return items.filter((i) => i.id !== installationId);
}
