import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_HTTP } from '@flotilla/protocol';
import { HubHttpClient } from './hub-http.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

let server: Server;
let base: string;
const seen: Seen[] = [];
/** What the next request is answered with. */
let answer: { status: number; body: string; headers?: Record<string, string> } = { status: 200, body: '{}' };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const client = (hubUrl = base) => new HubHttpClient({ hubUrl, agentId: 'agt_1', secret: 's:e:cret', agentVersion: '1.2.3', kind: 'helm', timeoutMs: 2000 });
const signal = () => new AbortController().signal;

describe('HubHttpClient', () => {
  it('polls with Basic credentials and the agent headers, under the hub URL path', async () => {
    answer = { status: 200, body: JSON.stringify({ desired: null, commands: [{ id: 'c1', type: 'restart' }], pollIntervalSeconds: 7 }) };
    const result = await client().state(7, signal());
    expect(result).toEqual({ ok: true, value: { desired: null, commands: [{ id: 'c1', type: 'restart' }], pollIntervalSeconds: 7 } });
    const req = seen.at(-1);
    expect(req?.method).toBe('GET');
    expect(req?.url).toBe(`/prefix${AGENT_HTTP.state}`);
    expect(req?.headers.authorization).toBe(`Basic ${Buffer.from('agt_1:s:e:cret').toString('base64')}`);
    expect(req?.headers[AGENT_HTTP.headers.agentVersion]).toBe('1.2.3');
    expect(req?.headers[AGENT_HTTP.headers.kind]).toBe('helm');
    expect(req?.headers[AGENT_HTTP.headers.pollInterval]).toBe('7');
  });

  it('posts status reports and progress as JSON', async () => {
    answer = { status: 200, body: '{"ok":true}' };
    const report = { revision: 2, components: [] };
    expect(await client().report(report, signal())).toEqual({ ok: true, value: { ok: true } });
    expect(seen.at(-1)).toMatchObject({ method: 'POST', url: `/prefix${AGENT_HTTP.status}`, body: JSON.stringify(report) });
    expect(seen.at(-1)?.headers['content-type']).toBe('application/json');
    expect(await client().progress({ id: 'c1', status: 'running' }, signal())).toEqual({ ok: true, value: { ok: true } });
    expect(seen.at(-1)?.url).toBe(`/prefix${AGENT_HTTP.progress}`);
  });

  it('names a 401 and keeps the hub error text', async () => {
    answer = { status: 401, body: JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'Unknown agent or wrong secret' } }) };
    expect(await client().state(5, signal())).toEqual({ ok: false, failure: { kind: 'unauthorized', status: 401, message: 'UNAUTHORIZED: Unknown agent or wrong secret' } });
  });

  it('reads Retry-After of a 429, and names other statuses', async () => {
    answer = { status: 429, body: JSON.stringify({ error: { code: 'RATE_LIMITED', message: 'slow down' } }), headers: { 'retry-after': '12' } };
    expect(await client().state(5, signal())).toMatchObject({ ok: false, failure: { kind: 'rate-limited', retryAfterMs: 12_000 } });
    answer = { status: 502, body: '<html>bad gateway</html>' };
    expect(await client().state(5, signal())).toMatchObject({ ok: false, failure: { kind: 'http-error', status: 502, message: 'HTTP 502 Bad Gateway' } });
  });

  it('refuses answers that do not match the protocol', async () => {
    answer = { status: 200, body: JSON.stringify({ desired: { revision: -1 } }) };
    const bad = await client().state(5, signal());
    expect(bad).toMatchObject({ ok: false, failure: { kind: 'invalid-response', status: 200 } });
    answer = { status: 200, body: 'not json' };
    expect(await client().state(5, signal())).toMatchObject({ ok: false, failure: { kind: 'invalid-response', message: 'the answer is not JSON' } });
  });

  it('reports an unreachable hub as a network failure', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await client(`http://127.0.0.1:${port}`).state(5, signal());
    expect(result).toMatchObject({ ok: false, failure: { kind: 'network' } });
    expect(result.ok ? '' : result.failure.message).toMatch(/ECONNREFUSED/);
  });
});
