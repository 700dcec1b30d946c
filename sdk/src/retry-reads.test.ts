import { describe, expect, it } from 'vitest';
import { retryingReads } from './retry-reads.js';
import { FlotillaClient } from './client.js';

/** A fetch that fails at the network `failures` times, then answers 200; records each call's method. */
function flakyFetch(failures: number): { calls: string[]; fetch: typeof fetch } {
  const calls: string[] = [];
  return {
    calls,
    fetch: async (_input, init) => {
      calls.push(init?.method ?? 'GET');
      if (calls.length <= failures) throw new TypeError('Failed to fetch');
      return new Response('{}', { status: 200, headers: { 'content-type': 'application/json' } });
    },
  };
}

describe('retryingReads', () => {
  it('asks again once for a read that failed at the network', async () => {
    const f = flakyFetch(1);
    expect((await retryingReads(f.fetch, 0)('/api/v1/me')).status).toBe(200);
    expect(f.calls).toEqual(['GET', 'GET']);
  });

  it('gives up after the second failure', async () => {
    const f = flakyFetch(2);
    await expect(retryingReads(f.fetch, 0)('/api/v1/me', { method: 'GET' })).rejects.toThrow('Failed to fetch');
    expect(f.calls).toHaveLength(2);
  });

  it('never sends a write twice', async () => {
    const f = flakyFetch(1);
    await expect(retryingReads(f.fetch, 0)('/api/v1/installations', { method: 'POST', body: '{}' })).rejects.toThrow('Failed to fetch');
    expect(f.calls).toEqual(['POST']);
  });

  it('does not retry an aborted read, nor an HTTP error', async () => {
    const controller = new AbortController();
    controller.abort();
    const aborted: typeof fetch = async () => {
      throw new TypeError('Failed to fetch');
    };
    let calls = 0;
    const counting: typeof fetch = async (input, init) => (calls++, aborted(input, init));
    await expect(retryingReads(counting, 0)('/api/v1/me', { signal: controller.signal })).rejects.toThrow();
    expect(calls).toBe(1);
    const f: typeof fetch = async () => new Response('{}', { status: 503 });
    expect((await retryingReads(f, 0)('/api/v1/me')).status).toBe(503);
  });
});

describe('FlotillaClient', () => {
  it('asks again for a read that failed at the network, not for a write', async () => {
    const f = flakyFetch(1);
    const client = new FlotillaClient({ url: 'http://hub.invalid', token: 'flt_x', fetch: f.fetch });
    await expect(client.request('GET /me')).resolves.toEqual({});
    expect(f.calls).toEqual(['GET', 'GET']);
    const g = flakyFetch(1);
    const writer = new FlotillaClient({ url: 'http://hub.invalid', token: 'flt_x', fetch: g.fetch });
    await expect(writer.request('POST /customers', { body: { name: 'Acme' } })).rejects.toThrow('Failed to fetch');
    expect(g.calls).toEqual(['POST']);
  });
});
