import type { AgentKind, CommandStatus, ComponentState, RequestableCommandType } from '@flotilla/protocol';
import { shippedAgent, type ShippedAgentImages } from './agent-update.js';

/** What the agent receives besides id and type. */
export interface CommandPayload {
  targets?: string[];
  image?: string;
  agentVersion?: string;
  lines?: number;
  /** uninstall: the desired revision it takes away (re-sent desired states up to it bring nothing back). */
  revision?: number;
}

/** Customers may act on their own installations' workloads, not change what runs or the agent. */
const CUSTOMER_COMMANDS: ReadonlySet<RequestableCommandType> = new Set(['restart', 'collect-logs', 'redeploy']);

export const DEFAULT_LOG_LINES = 200;

export interface CommandRequest {
  body: { type: RequestableCommandType; targets?: string[] | undefined; lines?: number | undefined };
  /** The caller acts for a customer (customer users), not for the vendor. */
  byCustomer: boolean;
  agentKind: AgentKind;
  /** Components of the installation's current desired state (empty: nothing deployed). */
  desiredComponents: readonly string[];
  /** The agent version of the last handshake; null before the agent ever connected. */
  agentVersion: string | null;
  shipped: ShippedAgentImages;
}

export type CommandDecision =
  | { ok: true; payload: CommandPayload }
  | { ok: false; code: 'FORBIDDEN' | 'VALIDATION_FAILED' | 'CONFLICT'; message: string };

/** Decides whether a command may be created and what it carries. Pure. */
export function planCommand(req: CommandRequest): CommandDecision {
  const { type, targets } = req.body;
  if (req.byCustomer && !CUSTOMER_COMMANDS.has(type)) {
    return { ok: false, code: 'FORBIDDEN', message: `Customers may send ${[...CUSTOMER_COMMANDS].join(', ')}; "${type}" is for the vendor` };
  }
  if (type === 'self-update') return planSelfUpdate(req);
  if (req.body.lines !== undefined && type !== 'collect-logs') return { ok: false, code: 'VALIDATION_FAILED', message: 'lines: only for collect-logs' };
  if (req.desiredComponents.length === 0) return { ok: false, code: 'CONFLICT', message: `Nothing is deployed to this installation yet; there is nothing to ${type}` };
  const unknown = (targets ?? []).filter((t) => !req.desiredComponents.includes(t));
  if (unknown.length > 0) {
    return { ok: false, code: 'VALIDATION_FAILED', message: `targets: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a component of this installation (${req.desiredComponents.join(', ')})` };
  }
  const payload: CommandPayload = targets === undefined ? {} : { targets: [...new Set(targets)] };
  if (type === 'collect-logs') payload.lines = req.body.lines ?? DEFAULT_LOG_LINES;
  return { ok: true, payload };
}

function planSelfUpdate(req: CommandRequest): CommandDecision {
  if (req.body.targets !== undefined || req.body.lines !== undefined) return { ok: false, code: 'VALIDATION_FAILED', message: 'self-update takes no targets or lines' };
  const { image, version } = shippedAgent(req.agentKind, req.shipped);
  if (version === null) return { ok: false, code: 'CONFLICT', message: `The hub's agent image ${image} has no version tag; set AGENT_${req.agentKind.toUpperCase()}_IMAGE to a tagged image` };
  if (req.agentVersion === null) return { ok: false, code: 'CONFLICT', message: 'The agent has not connected yet, so its version is unknown' };
  if (req.agentVersion === version) return { ok: false, code: 'CONFLICT', message: `The agent already runs ${version}` };
  return { ok: true, payload: { image, agentVersion: version } };
}

export const UNFINISHED: readonly CommandStatus[] = ['pending', 'delivered', 'running'];
export const FINISHED: readonly CommandStatus[] = ['succeeded', 'failed', 'refused'];

const RANK: Record<CommandStatus, number> = { pending: 0, delivered: 1, running: 2, succeeded: 3, failed: 3, refused: 3 };

/**
 * Whether a command may move from `current` to `next`. Statuses only move forward (an ack can
 * arrive after the first progress); a finished command never changes again.
 */
export function canMove(current: CommandStatus, next: CommandStatus): boolean {
  return RANK[next] > RANK[current];
}

/**
 * What an agent's progress report means for the stored status. A `self-update` the old agent
 * reports `succeeded` has only started its replacement: it stays `running` until an agent with the
 * new version says hello.
 */
export function statusFromProgress(type: string, reported: 'running' | 'succeeded' | 'failed'): { status: CommandStatus; awaitingReconnect: boolean } {
  if (type === 'self-update' && reported === 'succeeded') return { status: 'running', awaitingReconnect: true };
  return { status: reported, awaitingReconnect: false };
}

export interface DriftChange {
  component: string;
  message: string;
  drifted: boolean;
}

/** Drift that appeared, changed or cleared between two component lists (for installation events). */
export function driftChanges(before: readonly ComponentState[], after: readonly ComponentState[]): DriftChange[] {
  const previous = new Map(before.map((c) => [c.name, c.drift]));
  const changes: DriftChange[] = [];
  for (const c of after) {
    const was = previous.get(c.name);
    if (c.drift !== undefined && (was === undefined || was.actualRevision !== c.drift.actualRevision || was.appliedRevision !== c.drift.appliedRevision)) {
      changes.push({ component: c.name, drifted: true, message: `${c.name} drifted: runtime at revision ${c.drift.actualRevision}, agent applied ${c.drift.appliedRevision}` });
    } else if (c.drift === undefined && was !== undefined) {
      changes.push({ component: c.name, drifted: false, message: `${c.name} no longer drifted (runtime back at the applied revision)` });
    }
  }
  return changes;
}
