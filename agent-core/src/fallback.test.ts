import { describe, expect, it } from 'vitest';
import { initialFallback, nextFallback, type FallbackState } from './fallback.js';

const AFTER = 30_000;
const step = (state: FallbackState, now: number, socketUp: boolean, pollAfterMs = AFTER) => nextFallback(state, { now, socketUp, pollAfterMs });

describe('nextFallback', () => {
  it('waits pollAfterMs from the start for a websocket session, then polls', () => {
    const start = initialFallback(1000);
    expect(start).toEqual({ mode: 'offline', downSince: 1000 });
    expect(step(start, 1000 + AFTER - 1, false)).toEqual({ state: start });
    expect(step(start, 1000 + AFTER, false)).toEqual({ state: { mode: 'polling', downSince: 1000 }, switched: 'to-polling' });
  });

  it('never polls when the websocket connects in time', () => {
    const up = step(initialFallback(0), 5000, true);
    expect(up).toEqual({ state: { mode: 'websocket', downSince: 0 } });
    expect(step(up.state, 10 * AFTER, true).switched).toBeUndefined();
  });

  it('counts from the loss of the session, not from the start', () => {
    const up = step(initialFallback(0), 1000, true).state;
    const lost = step(up, 100_000, false);
    expect(lost).toEqual({ state: { mode: 'offline', downSince: 100_000 } });
    expect(step(lost.state, 100_000 + AFTER - 1, false).switched).toBeUndefined();
    expect(step(lost.state, 100_000 + AFTER, false).switched).toBe('to-polling');
  });

  it('keeps polling while the websocket stays down, and switches back once it is up', () => {
    const polling = step(initialFallback(0), AFTER, false).state;
    const still = step(polling, 10 * AFTER, false);
    expect(still).toEqual({ state: polling });
    expect(step(polling, 10 * AFTER, true)).toEqual({ state: { mode: 'websocket', downSince: 0 }, switched: 'to-websocket' });
  });

  it('polls again after the websocket is lost a second time', () => {
    let state = step(initialFallback(0), AFTER, false).state;
    state = step(state, AFTER + 1, true).state;
    const lost = step(state, 200_000, false).state;
    expect(step(lost, 200_000 + AFTER, false)).toEqual({ state: { mode: 'polling', downSince: 200_000 }, switched: 'to-polling' });
  });

  it('never polls with pollAfterMs 0', () => {
    const start = initialFallback(0);
    expect(step(start, Number.MAX_SAFE_INTEGER, false, 0)).toEqual({ state: start });
  });
});
