import { describe, expect, it } from 'vitest';
import type { Command } from '@flotilla/protocol';
import { failureKey, kindOfStatus, MAX_ERROR_DELAY_MS, nextPollDelayMs, pollingRefusal, SLOW_POLL_MS } from './poll-policy.js';

describe('nextPollDelayMs', () => {
  it('polls at the interval while the hub answers', () => {
    expect(nextPollDelayMs(5000, undefined, 0)).toBe(5000);
  });

  it('backs off transient failures from the interval, never below it, capped', () => {
    const network = { kind: 'network' as const, message: 'ECONNREFUSED' };
    expect([1, 2, 3, 4, 5, 6, 50].map((n) => nextPollDelayMs(5000, network, n))).toEqual([5000, 10_000, 20_000, MAX_ERROR_DELAY_MS, MAX_ERROR_DELAY_MS, MAX_ERROR_DELAY_MS, MAX_ERROR_DELAY_MS]);
    expect(nextPollDelayMs(1000, { kind: 'http-error', status: 502, message: 'bad gateway' }, 1)).toBe(1000);
    // An interval longer than the cap is kept.
    expect(nextPollDelayMs(120_000, network, 9)).toBe(120_000);
  });

  it('retries wrong credentials slowly and honours Retry-After', () => {
    expect(nextPollDelayMs(1000, { kind: 'unauthorized', status: 401, message: 'x' }, 1)).toBe(SLOW_POLL_MS);
    expect(nextPollDelayMs(1000, { kind: 'rate-limited', status: 429, message: 'x', retryAfterMs: 7000 }, 1)).toBe(7000);
    expect(nextPollDelayMs(1000, { kind: 'rate-limited', status: 429, message: 'x' }, 1)).toBe(SLOW_POLL_MS);
    expect(nextPollDelayMs(10_000, { kind: 'rate-limited', status: 429, message: 'x', retryAfterMs: 1000 }, 1)).toBe(10_000);
  });
});

describe('failure kinds', () => {
  it('names statuses', () => {
    expect([401, 429, 400, 404, 500, 503].map(kindOfStatus)).toEqual(['unauthorized', 'rate-limited', 'http-error', 'http-error', 'http-error', 'http-error']);
  });

  it('keys failures by kind and status, so each is logged once', () => {
    expect(failureKey({ kind: 'network', message: 'a' })).toBe(failureKey({ kind: 'network', message: 'b' }));
    expect(failureKey({ kind: 'http-error', status: 502, message: 'a' })).not.toBe(failureKey({ kind: 'http-error', status: 503, message: 'a' }));
  });
});

describe('pollingRefusal', () => {
  const command = (type: Command['type']): Command => ({ id: 'c1', type });
  it('refuses collect-logs (no HTTP route for log chunks) and nothing else', () => {
    expect(pollingRefusal(command('collect-logs'))).toMatch(/needs the websocket/);
    for (const type of ['redeploy', 'restart', 'rollback', 'self-update'] as const) expect(pollingRefusal(command(type))).toBeUndefined();
  });
});
