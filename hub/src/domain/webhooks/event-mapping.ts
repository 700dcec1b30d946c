import type { EventType, OutboundEvent } from '@flotilla/protocol';
import { UNFINISHED } from '../commands/command-rules.js';

/**
 * The one place that turns the domain's recorded happenings (rows of installation_events,
 * rollout_events and audit_log) into outbound events of the catalogue. Pure: a row in, an event
 * (or nothing) out.
 */
export type SourceRow =
  | { source: 'installation_events'; id: string; at: Date; vendorId: string; customerId: string | null; installationId: string; type: string; health: string | null; message: string | null; data: Record<string, unknown> | null }
  | { source: 'rollout_events'; id: string; at: Date; vendorId: string; customerId: string | null; rolloutId: string; releaseId: string; installationId: string | null; type: string; message: string | null }
  | { source: 'audit_log'; id: string; at: Date; vendorId: string; action: string; targetId: string | null };

export interface MappedEvent {
  /** The Standard Webhooks `webhook-id`: one per happening, the same for every endpoint and attempt. */
  messageId: string;
  vendorId: string;
  /** The customer whose installation it concerns (its own endpoints get it too), or null. */
  customerId: string | null;
  type: EventType;
  payload: OutboundEvent;
}

const INSTALLATION: Readonly<Record<string, EventType>> = {
  connected: 'installation.online',
  disconnected: 'installation.offline',
  health: 'installation.health_changed',
  drift: 'installation.drifted',
};

const ROLLOUT: Readonly<Record<string, EventType>> = {
  started: 'rollout.started',
  paused: 'rollout.paused',
  resumed: 'rollout.resumed',
  aborted: 'rollout.aborted',
  completed: 'rollout.completed',
  failed: 'rollout.failed',
  rolled_back: 'rollout.rolled_back',
  approved: 'approval.given',
};

const AUDIT: Readonly<Record<string, EventType>> = {
  'release.lock': 'release.locked',
  'release.hold': 'release.held',
  'release.rescind': 'release.rescinded',
};

const SHORT = { installation_events: 'ie', rollout_events: 're', audit_log: 'al' } as const;

function installationEventType(row: Extract<SourceRow, { source: 'installation_events' }>): EventType | undefined {
  if (row.type === 'alert') return row.data?.state === 'firing' ? 'alert.firing' : row.data?.state === 'resolved' ? 'alert.resolved' : undefined;
  if (row.type === 'command') {
    const status = row.data?.status;
    return typeof status === 'string' && !(UNFINISHED as readonly string[]).includes(status) ? 'command.finished' : undefined;
  }
  return INSTALLATION[row.type];
}

function rolloutEventType(row: Extract<SourceRow, { source: 'rollout_events' }>): EventType | undefined {
  if (row.type === 'waiting') return row.message === 'approval' ? 'approval.requested' : row.message === 'window' ? 'maintenance.scheduled' : undefined;
  return ROLLOUT[row.type];
}

export function mapSourceRow(row: SourceRow): MappedEvent | undefined {
  const base = { messageId: `msg_${SHORT[row.source]}${row.id}`, vendorId: row.vendorId };
  const timestamp = row.at.toISOString();
  switch (row.source) {
    case 'installation_events': {
      const type = installationEventType(row);
      if (!type) return undefined;
      const commandId = typeof row.data?.commandId === 'string' ? row.data.commandId : undefined;
      const data = { vendorId: row.vendorId, customerId: row.customerId, installationId: row.installationId, message: row.message, ...(row.health ? { health: row.health } : {}), ...(commandId ? { commandId, commandType: row.data?.type, status: row.data?.status } : {}), ...(type === 'installation.drifted' ? { drift: row.data } : {}), ...(row.type === 'alert' ? { alert: row.data } : {}) };
      return { ...base, customerId: row.customerId, type, payload: { type, timestamp, data } };
    }
    case 'rollout_events': {
      const type = rolloutEventType(row);
      if (!type) return undefined;
      const data = { vendorId: row.vendorId, customerId: row.customerId, rolloutId: row.rolloutId, releaseId: row.releaseId, installationId: row.installationId, message: row.message };
      return { ...base, customerId: row.customerId, type, payload: { type, timestamp, data } };
    }
    case 'audit_log': {
      const type = AUDIT[row.action];
      if (!type) return undefined;
      return { ...base, customerId: null, type, payload: { type, timestamp, data: { vendorId: row.vendorId, customerId: null, releaseId: row.targetId } } };
    }
  }
}

/** Which source rows can become an event at all (the outbox reads only these). */
export const SOURCE_FILTERS = {
  installation_events: ['connected', 'disconnected', 'health', 'drift', 'command', 'alert'],
  rollout_events: ['started', 'paused', 'resumed', 'aborted', 'completed', 'failed', 'rolled_back', 'approved', 'waiting'],
  audit_log: Object.keys(AUDIT),
} as const;

/** Whether an endpoint subscribed to `events` (empty = all) receives `type`. */
export function subscribed(events: readonly string[], type: string): boolean {
  return events.length === 0 || events.includes(type);
}
