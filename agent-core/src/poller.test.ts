import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pino } from 'pino';
import type { AgentPollResponse } from '@flotilla/protocol';
import { HubHttpClient } from './hub-http.js';
import { SLOW_POLL_MS } from './poll-policy.js';
import { HubPoller } from './poller.js';

interface Line {
  level: number;
  msg: string;
}

const okBody: AgentPollResponse = { desired: null, commands: [], pollIntervalSeconds: 1 };
const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

let answers: (() => Promise<Response>)[];
let calls: string[];
let lines: Line[];
let polls: boolean[];
let poller: HubPoller;

beforeEach(() => {
  vi.useFakeTimers();
  answers = [];
  calls = [];
  lines = [];
  polls = [];
  const fetchFake: typeof fetch = (input) => {
    calls.push(String(input));
    const next = answers.shift();
    return next === undefined ? Promise.resolve(json(200, okBody)) : next();
  };
  const logger = pino({ level: 'info' }, { write: (s: string) => void lines.push(JSON.parse(s) as Line) });
  const client = new HubHttpClient({ hubUrl: 'http://hub.test', agentId: 'a', secret: 's', agentVersion: '1', kind: 'compose', fetch: fetchFake });
  poller = new HubPoller({
    client,
    intervalMs: 1000,
    logger,
    onPoll: (_response, first) => {
      polls.push(first);
      return Promise.resolve();
    },
  });
});
afterEach(() => {
  poller.stop();
  vi.useRealTimers();
});

const unauthorized = () => Promise.resolve(json(401, { error: { code: 'UNAUTHORIZED', message: 'Unknown agent or wrong secret' } }));

describe('HubPoller', () => {
  it('retries wrong credentials slowly, logs them once, and says when polling recovers', async () => {
    answers.push(unauthorized, unauthorized, unauthorized);
    poller.start();
    await vi.advanceTimersByTimeAsync(SLOW_POLL_MS - 1);
    expect(calls).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(2 * SLOW_POLL_MS);
    expect(calls).toHaveLength(3);
    expect(poller.healthy).toBe(false);
    const errors = lines.filter((l) => l.level === 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toMatch(/rejected the agent credentials.*401.*FLOTILLA_AGENT_SECRET/);
    expect(polls).toEqual([]);

    await vi.advanceTimersByTimeAsync(1); // the fourth poll, at 3 × SLOW_POLL_MS, is answered
    expect(polls).toEqual([true]);
    expect(poller.healthy).toBe(true);
    expect(lines.some((l) => l.msg === 'HTTP polling reaches the hub again')).toBe(true);
    await vi.advanceTimersByTimeAsync(1000);
    expect(polls).toEqual([true, false]);
  });

  it('polls at the interval, and marks the first good poll after a failure as a new session', async () => {
    answers.push(() => Promise.resolve(json(200, okBody)), () => Promise.reject(new TypeError('fetch failed')), () => Promise.reject(new TypeError('fetch failed')));
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(polls).toEqual([true]);
    await vi.advanceTimersByTimeAsync(1000 + 1000); // two network failures: 1 s, then 2 s
    expect(calls).toHaveLength(3);
    expect(lines.filter((l) => l.msg === 'HTTP poll failed; retrying')).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1999);
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(1);
    expect(polls).toEqual([true, true]);
  });

  it('sends reports only while polls reach the hub', async () => {
    expect(await poller.report({ revision: 0, components: [] })).toBe(false); // not started
    poller.start();
    await vi.advanceTimersByTimeAsync(0);
    answers.push(() => Promise.resolve(json(200, { ok: true })));
    expect(await poller.report({ revision: 0, components: [] })).toBe(true);
    expect(calls.at(-1)).toBe('http://hub.test/api/v1/agent/status');
  });

  it('drops an answer that arrives after stop() and polls no more', async () => {
    let release: (r: Response) => void = () => undefined;
    answers.push(() => new Promise<Response>((resolve) => (release = resolve)));
    poller.start();
    poller.stop();
    release(json(200, okBody));
    await vi.advanceTimersByTimeAsync(10_000);
    expect(polls).toEqual([]);
    expect(calls).toHaveLength(1);
    expect(poller.running).toBe(false);
  });
});
