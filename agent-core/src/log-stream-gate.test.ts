import { describe, expect, it } from 'vitest';
import { LogStreamGate } from './log-stream-gate.js';

const limits = { linesPerSecond: 3, bytesPerSecond: 1000, window: 2 };

describe('LogStreamGate', () => {
  it('keeps at most linesPerSecond lines per second and reports the rest as dropped in the next chunk', () => {
    const gate = new LogStreamGate('f1', limits);
    for (let i = 0; i < 5; i++) gate.offer(`line ${i}`, 10_000 + i);
    expect(gate.take()).toEqual({ followId: 'f1', seq: 0, lines: ['line 0', 'line 1', 'line 2'], dropped: 2 });
    gate.offer('late in the same second', 10_999);
    expect(gate.take()).toEqual({ followId: 'f1', seq: 1, lines: [], dropped: 1 });
    gate.acked();
    gate.acked();
    gate.offer('next second', 11_000);
    expect(gate.take()).toEqual({ followId: 'f1', seq: 2, lines: ['next second'] });
  });

  it('caps bytes per second too', () => {
    const gate = new LogStreamGate('f1', { linesPerSecond: 100, bytesPerSecond: 10, window: 2 });
    gate.offer('12345', 0);
    gate.offer('123456', 1); // 11 bytes: over
    gate.offer('12345', 2); // exactly 10
    expect(gate.take()).toEqual({ followId: 'f1', seq: 0, lines: ['12345', '12345'], dropped: 1 });
  });

  it('hands out at most `window` unacknowledged chunks; each ack gives one credit back', () => {
    const gate = new LogStreamGate('f1', { linesPerSecond: 100, bytesPerSecond: 10_000, window: 2 });
    gate.offer('a', 0);
    expect(gate.take()?.lines).toEqual(['a']);
    gate.offer('b', 1);
    expect(gate.take()?.lines).toEqual(['b']);
    expect(gate.blocked).toBe(true);
    gate.offer('c', 2);
    expect(gate.take()).toBeUndefined(); // no credit: 'c' waits
    expect(gate.waiting).toBe(1);
    gate.acked();
    expect(gate.blocked).toBe(false);
    expect(gate.take()?.lines).toEqual(['c']);
    expect(gate.take()).toBeUndefined();
  });

  it('sends nothing when there is nothing to send', () => {
    const gate = new LogStreamGate('f1', limits);
    expect(gate.take()).toBeUndefined();
  });

  it('the final chunk goes out whatever the credit, with what is pending and the reason', () => {
    const gate = new LogStreamGate('f1', { linesPerSecond: 100, bytesPerSecond: 10_000, window: 1 });
    gate.offer('a', 0);
    gate.take();
    gate.offer('b', 1);
    expect(gate.take()).toBeUndefined();
    expect(gate.final('stopped')).toEqual({ followId: 'f1', seq: 1, lines: ['b'], end: { reason: 'stopped' } });
  });

  it('drops what exceeds the pending buffer while the hub holds the window (a bounded agent)', () => {
    const gate = new LogStreamGate('f1', { linesPerSecond: 10_000, bytesPerSecond: 10_000_000, window: 1 });
    gate.offer('first', 0);
    gate.take();
    for (let i = 0; i < 2500; i++) gate.offer(`l${i}`, 1000 + Math.floor(i / 2000) * 1000);
    expect(gate.waiting).toBe(2000);
    gate.acked();
    const chunk = gate.take();
    expect(chunk?.lines).toHaveLength(1000);
    expect(chunk?.dropped).toBe(500);
  });
});
