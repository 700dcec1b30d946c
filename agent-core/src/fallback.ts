/**
 * When the agent falls back to HTTP polling and when it returns to the websocket. Pure: the
 * supervisor (fallback-supervisor.ts) feeds it the clock and whether a websocket session is up.
 */

/** `websocket`: a hello was acknowledged; `offline`: neither link works yet; `polling`: on the HTTP fallback. */
export type LinkMode = 'websocket' | 'offline' | 'polling';

export interface FallbackState {
  mode: LinkMode;
  /** When the websocket session was last lost (or the agent started without one), ms. */
  downSince: number;
}

export interface FallbackInput {
  now: number;
  /** A websocket session is established (hello acknowledged). */
  socketUp: boolean;
  /** Time without a websocket session before polling; 0 = never poll. */
  pollAfterMs: number;
}

export interface FallbackStep {
  state: FallbackState;
  /** Set when this step starts or stops polling. */
  switched?: 'to-polling' | 'to-websocket';
}

/** An agent that has just started has no session yet: the wait for the websocket starts now. */
export function initialFallback(now: number): FallbackState {
  return { mode: 'offline', downSince: now };
}

export function nextFallback(state: FallbackState, input: FallbackInput): FallbackStep {
  if (input.socketUp) {
    const next: FallbackState = { mode: 'websocket', downSince: state.downSince };
    return state.mode === 'polling' ? { state: next, switched: 'to-websocket' } : { state: next };
  }
  if (state.mode === 'websocket') return { state: { mode: 'offline', downSince: input.now } };
  if (state.mode === 'offline' && input.pollAfterMs > 0 && input.now - state.downSince >= input.pollAfterMs) {
    return { state: { mode: 'polling', downSince: state.downSince }, switched: 'to-polling' };
  }
  return { state };
}
