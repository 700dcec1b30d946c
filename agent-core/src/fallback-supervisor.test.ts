import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import { FallbackSupervisor } from './fallback-supervisor.js';

let socketUp: boolean;
let events: string[];
let messages: string[];

beforeEach(() => {
  vi.useFakeTimers();
  socketUp = false;
  events = [];
  messages = [];
});
afterEach(() => vi.useRealTimers());

function supervisor(pollAfterMs: number): FallbackSupervisor {
  return new FallbackSupervisor({
    pollAfterMs,
    socketUp: () => socketUp,
    startPolling: () => void events.push('start'),
    stopPolling: () => void events.push('stop'),
    logger: pino({ level: 'info' }, { write: (s: string) => void messages.push((JSON.parse(s) as { msg: string }).msg) }),
  });
}

describe('FallbackSupervisor', () => {
  it('starts polling after pollAfterMs without a session and stops at once when a hello is acked', async () => {
    const s = supervisor(3000);
    s.start();
    await vi.advanceTimersByTimeAsync(2000);
    expect(events).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(events).toEqual(['start']);
    expect(s.mode).toBe('polling');
    socketUp = true;
    s.check(); // what the agent calls after the hello ack, before any tick
    expect(events).toEqual(['start', 'stop']);
    expect(messages).toEqual(['websocket unavailable; falling back to HTTP polling', 'websocket session established; HTTP polling stopped']);
    s.stop();
  });

  it('stops the poller when stopped while polling, and never polls with pollAfterMs 0', async () => {
    const s = supervisor(1000);
    s.start();
    await vi.advanceTimersByTimeAsync(1000);
    s.stop();
    expect(events).toEqual(['start', 'stop']);
    const never = supervisor(0);
    never.start();
    await vi.advanceTimersByTimeAsync(3_600_000);
    expect(events).toEqual(['start', 'stop']);
    expect(never.mode).toBe('offline');
  });
});
