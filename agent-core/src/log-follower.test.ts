import { describe, expect, it } from 'vitest';
import type { LogStreamChunk } from '@flotilla/protocol';
import { LogFollower } from './log-follower.js';
import type { LogSource } from './log-source.js';

const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
};

/** A source driven by the test: lines are emitted on demand, pause/resume/stop are recorded. */
function scriptedSource() {
  let listener: (line: string) => void = () => undefined;
  const end = deferred<string>();
  const state = { paused: false, stopped: false };
  const source: LogSource = {
    onLine: (l) => (listener = l),
    pause: () => (state.paused = true),
    resume: () => (state.paused = false),
    stop: () => {
      state.stopped = true;
      end.resolve('stopped');
    },
    ended: end.promise,
  };
  return { source, state, emit: (line: string) => listener(line), exit: (reason: string) => end.resolve(reason) };
}

/** Waits until the follower's batching timer sent what it has (no fixed sleeps in assertions). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(check()).toBe(true);
}

const start = (window: number, linesPerSecond = 1000) => ({
  followId: 'f1',
  component: 'web',
  tail: 0,
  limits: { linesPerSecond, bytesPerSecond: 1_000_000, window, maxDurationSeconds: 600 },
});

describe('LogFollower', () => {
  it('pauses the source while the hub holds a full window, resumes on ack, and loses no admitted line', async () => {
    const { source, state, emit } = scriptedSource();
    const sent: LogStreamChunk[] = [];
    const acks: ((ok: boolean) => void)[] = [];
    const ended = deferred<string>();
    const follower = new LogFollower({
      start: start(1),
      source,
      send: (chunk) => {
        sent.push(chunk);
        const ack = deferred<boolean>();
        acks.push(ack.resolve);
        return ack.promise;
      },
      onEnded: ended.resolve,
    });
    emit('one');
    await until(() => sent.length === 1);
    expect(state.paused).toBe(true);
    emit('two'); // read before the pause took effect: kept for the next chunk
    emit('three');
    await new Promise((r) => setTimeout(r, 100));
    expect(sent).toHaveLength(1); // no credit, nothing more sent
    acks[0]?.(true);
    await until(() => sent.length === 2);
    expect(sent[1]?.lines).toEqual(['two', 'three']);
    acks[1]?.(true);
    await until(() => !state.paused);
    follower.stop('stopped by the hub');
    await until(() => sent.length === 3);
    acks[2]?.(true);
    expect(await ended.promise).toBe('stopped by the hub');
    expect(sent[2]).toMatchObject({ seq: 2, lines: [], end: { reason: 'stopped by the hub' } });
    expect(state.stopped).toBe(true);
  });

  it('reports lines over the rate as dropped', async () => {
    const { source, emit } = scriptedSource();
    const sent: LogStreamChunk[] = [];
    let now = 5000;
    new LogFollower({ start: start(4, 2), source, send: async (c) => (sent.push(c), true), onEnded: () => undefined, now: () => now });
    for (const l of ['a', 'b', 'c', 'd']) emit(l);
    await until(() => sent.length === 1);
    expect(sent[0]).toMatchObject({ lines: ['a', 'b'], dropped: 2 });
    now += 1000;
    emit('e');
    await until(() => sent.length === 2);
    expect(sent[1]).toEqual({ followId: 'f1', seq: 1, lines: ['e'] });
  });

  it('ends when the source ends on its own, and when a chunk is not acknowledged', async () => {
    const first = scriptedSource();
    const sent: LogStreamChunk[] = [];
    const ended = deferred<string>();
    new LogFollower({ start: start(2), source: first.source, send: async (c) => (sent.push(c), true), onEnded: ended.resolve });
    first.exit('docker exited (code 1)');
    expect(await ended.promise).toBe('docker exited (code 1)');
    expect(sent.at(-1)?.end).toEqual({ reason: 'docker exited (code 1)' });

    const second = scriptedSource();
    const lost = deferred<string>();
    new LogFollower({ start: start(2), source: second.source, send: async (c) => !c.end && false, onEnded: lost.resolve });
    second.emit('x');
    expect(await lost.promise).toBe('the hub did not acknowledge the log stream');
    expect(second.state.stopped).toBe(true);
  });

  it('ends on its own after the maximum duration (a hub that never said stop)', async () => {
    const { source, state } = scriptedSource();
    const sent: LogStreamChunk[] = [];
    const ended = deferred<string>();
    const t0 = Date.now();
    new LogFollower({ start: { ...start(2), limits: { ...start(2).limits, maxDurationSeconds: 1 } }, source, send: async (c) => (sent.push(c), true), onEnded: ended.resolve });
    expect(await ended.promise).toBe('the follow reached its maximum duration (1 s)');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(990);
    expect(state.stopped).toBe(true);
    expect(sent.at(-1)?.end?.reason).toBe('the follow reached its maximum duration (1 s)');
  });
});
