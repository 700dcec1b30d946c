import type { InstallationEvent } from '@flotilla/protocol';
import type { BadgeTone } from './format';

/** The installation's events timeline: labels and the merging of pages and live arrivals (pure). */

export interface TimelineLabel {
  title: string;
  tone: BadgeTone;
}

/** What happened, in words, with a colour; unknown types keep their name. */
export function eventLabel(e: Pick<InstallationEvent, 'type' | 'health'>): TimelineLabel {
  switch (e.type) {
    case 'connected':
      return { title: 'Agent connected', tone: 'success' };
    case 'disconnected':
      return { title: 'Agent disconnected', tone: 'warning' };
    case 'deployed':
      return { title: 'Revision deployed', tone: 'info' };
    case 'health':
      return { title: `Health changed to ${e.health ?? 'unknown'}`, tone: e.health === 'healthy' ? 'success' : e.health === 'failed' ? 'danger' : e.health === 'degraded' ? 'warning' : 'neutral' };
    case 'drift':
      return { title: 'Drift', tone: 'warning' };
    case 'command':
      return { title: 'Command', tone: 'neutral' };
    case 'alert':
      return { title: 'Alert', tone: 'danger' };
    default:
      return { title: e.type, tone: 'neutral' };
  }
}

/** Event ids are increasing integers (as strings); anything else sorts last. */
const order = (e: Pick<InstallationEvent, 'id'>): number => {
  const n = Number(e.id);
  return Number.isFinite(n) ? n : -Infinity;
};

/**
 * The newest-first list with `incoming` events merged in: new ones go where their id puts them
 * (a live arrival on top, an older page at the bottom), known ids are not repeated.
 */
export function mergeEvents(shown: readonly InstallationEvent[], incoming: readonly InstallationEvent[]): InstallationEvent[] {
  const known = new Set(shown.map((e) => e.id));
  const fresh = incoming.filter((e) => !known.has(e.id));
  if (fresh.length === 0) return [...shown];
  return [...shown, ...fresh].sort((a, b) => order(b) - order(a));
}
