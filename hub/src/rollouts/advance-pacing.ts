/**
 * How often agent events may advance one rollout. Each advance plans over every target of the
 * rollout (0.2–0.3 s of a storm for 10 000, reading only what changed); a stream of
 * agent events (a reconnect storm reporting the stage it just applied) would otherwise advance it
 * back to back and take the process from the agents. After each advance the rollout rests
 * REST_FACTOR times as long as that advance took: advancing it takes at most a third of the process.
 */
export const REST_FACTOR = 2;
/** The longest agent events wait before they advance a rollout. */
export const MAX_AGENT_EVENT_DELAY_MS = 5000;

/** The last advance of a rollout on this process; `endedAt` null while it runs. */
export interface AdvanceTiming {
  startedAt: number;
  endedAt: number | null;
  /** How long the last finished advance took. */
  durationMs: number;
}

/**
 * The delay of an advance asked for by agent events at `now`: at least `debounceMs` (events gather),
 * and not before the last advance's end plus its rest. A running advance is expected to end as long
 * after its start as the one before it took. Counted from the end, not from the trigger: events
 * arrive during an advance, and a delay counted from then would start the next one as this one ends.
 */
export function agentEventDelay(debounceMs: number, last: AdvanceTiming | undefined, now: number): number {
  if (!last) return debounceMs;
  const end = last.endedAt ?? last.startedAt + last.durationMs;
  return Math.min(MAX_AGENT_EVENT_DELAY_MS, Math.max(debounceMs, end + REST_FACTOR * last.durationMs - now));
}
