import type { CommandStatus, Drift, InstallationCommand, Membership, RequestableCommandType } from '@flotilla/protocol';
import type { BadgeTone } from './format';
import { actingMembership, may } from './roles';

/**
 * The commands this user may send: whoever may call the commands route (lib/roles.ts); vendor
 * members send any, customer admins restart, collect logs and redeploy (hub command-rules.ts).
 */
export function allowedCommands(memberships: readonly Membership[]): ReadonlySet<RequestableCommandType> {
  const m = actingMembership(memberships);
  if (!m || !may(memberships, 'sendCommands')) return new Set();
  return m.customerId === null ? new Set(['redeploy', 'restart', 'rollback', 'collect-logs', 'self-update']) : new Set(['redeploy', 'restart', 'collect-logs']);
}

/** "drifted: cluster at revision 7, agent applied 5". */
export function driftText(drift: Drift): string {
  return `drifted: cluster at revision ${drift.actualRevision}, agent applied ${drift.appliedRevision}`;
}

const TONES: Record<CommandStatus, BadgeTone> = { pending: 'neutral', delivered: 'info', running: 'info', succeeded: 'success', failed: 'danger', refused: 'warning' };

export function commandTone(status: CommandStatus): BadgeTone {
  return TONES[status];
}

const FINISHED: readonly CommandStatus[] = ['succeeded', 'failed', 'refused'];

export function isFinished(status: CommandStatus): boolean {
  return FINISHED.includes(status);
}

/** "restart web, api", "self-update to 1.4.0", "collect-logs". */
export function describeCommand(c: InstallationCommand): string {
  if (c.type === 'self-update') return `self-update to ${c.agentVersion ?? c.image ?? '?'}`;
  return c.targets && c.targets.length > 0 ? `${c.type} ${c.targets.join(', ')}` : c.type;
}

/**
 * Applies a `command:changed` event to a newest-first list: replaces the command by id, or puts a
 * new one first. An event older than what the list shows (by updatedAt) is ignored. Pure.
 */
export function patchCommands(list: readonly InstallationCommand[], changed: InstallationCommand): InstallationCommand[] {
  const at = list.findIndex((c) => c.id === changed.id);
  if (at < 0) return [changed, ...list];
  const current = list[at];
  if (current && current.updatedAt > changed.updatedAt) return [...list];
  return list.map((c, i) => (i === at ? changed : c));
}
