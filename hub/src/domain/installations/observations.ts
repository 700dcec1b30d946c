import type { ComponentState, Health } from '@flotilla/protocol';
import { driftChanges } from '../commands/command-rules.js';

export interface Observed {
  appliedRevision: number;
  components: ComponentState[];
  health: Health;
  runningVersion: string | null;
  /** Said in a hello: what runs now, even an older revision than known (an agent that lost its state). */
  hello?: boolean;
}

export interface ObservationEvent {
  type: 'health' | 'drift';
  health: Health | null;
  message: string | null;
  data: unknown;
}

export interface Folded {
  final: Observed;
  events: ObservationEvent[];
  /** The overall health changed at some point (health_since moves). */
  healthChanged: boolean;
  /**
   * Something a rollout waits for changed: the applied revision, the overall health, or a
   * component's version or health. Periodic reports that repeat the same facts are not.
   */
  progressed: boolean;
}

/**
 * Folds the reports of one installation, in arrival order, onto what was stored before: the state
 * to store (the last report that is not a late copy) and the events of every transition on the way (so a health flap inside
 * one batch is still recorded twice).
 */
export function foldObservations(before: Observed, reports: readonly Observed[]): Folded {
  const events: ObservationEvent[] = [];
  let current = before;
  let healthChanged = false;
  let progressed = false;
  for (const next of reports) {
    // A report of an older revision than the one known is a late copy (a retried report, or one
    // sent on a socket since replaced, arriving after a newer one). Stored, it would move the
    // installation back, and a rollout waiting for the newer revision would wait for a next report.
    if (!next.hello && next.appliedRevision < current.appliedRevision) continue;
    if (next.health !== current.health) {
      healthChanged = true;
      events.push({ type: 'health', health: next.health, message: next.components.find((c) => c.health === next.health)?.message ?? null, data: null });
    }
    for (const d of driftChanges(current.components, next.components)) {
      events.push({ type: 'drift', health: null, message: d.message, data: { component: d.component, drifted: d.drifted } });
    }
    if (next.appliedRevision !== current.appliedRevision || next.health !== current.health || componentFacts(next.components) !== componentFacts(current.components)) progressed = true;
    const { hello: _hello, ...observed } = next;
    current = observed;
  }
  return { final: current, events, healthChanged, progressed };
}

const componentFacts = (components: readonly ComponentState[]) =>
  components
    .map((c) => `${c.name}=${c.version ?? ''}/${c.health}`)
    .sort()
    .join(',');
