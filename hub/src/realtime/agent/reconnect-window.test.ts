import { describe, expect, it } from 'vitest';
import { reconnectWindowMs } from './reconnect-window.js';

describe('reconnectWindowMs', () => {
  it('grows with the agents held, between 1 s and 30 s', () => {
    expect(reconnectWindowMs(0)).toBe(1000);
    expect(reconnectWindowMs(100)).toBe(1000);
    expect(reconnectWindowMs(1000)).toBe(1500);
    expect(reconnectWindowMs(10_000)).toBe(15_000);
    expect(reconnectWindowMs(1_000_000)).toBe(30_000);
  });
});
