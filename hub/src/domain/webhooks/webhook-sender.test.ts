import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postWebhook, resolveTarget, TargetRefusedError } from './webhook-sender.js';

/** SSRF refusal with real sockets: a receiver on loopback that must never be reached when private targets are off. */
let server: Server;
let port: number;
let hits = 0;

beforeAll(async () => {
  server = createServer((req, res) => {
    hits++;
    req.resume();
    res.writeHead(200).end('ok');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  port = (server.address() as AddressInfo).port;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const opts = (allowPrivate: boolean) => ({ allowPrivate, timeoutMs: 2000 });

describe('webhook targets (SSRF)', () => {
  it.each(['http://127.0.0.1:PORT/x', 'http://localhost:PORT/x', 'http://[::1]:PORT/x', 'http://[::ffff:127.0.0.1]:PORT/x', 'http://169.254.169.254/latest/meta-data/', 'http://10.1.2.3/', 'http://0.0.0.0:PORT/'])(
    'refuses %s without connecting',
    async (url) => {
      const before = hits;
      const r = await postWebhook(url.replace('PORT', String(port)), {}, '{}', opts(false));
      expect(r.status).toBeNull();
      expect(r.error).toMatch(/loopback, private, link-local or reserved/);
      expect(hits).toBe(before);
    },
  );

  it('refuses a name whose addresses include a private one', async () => {
    await expect(resolveTarget(new URL(`http://localhost:${port}/`), false)).rejects.toBeInstanceOf(TargetRefusedError);
  });

  it('reports a name that does not resolve', async () => {
    const r = await postWebhook('https://hooks.example.invalid/x', {}, '{}', opts(false));
    expect(r).toMatchObject({ status: null, error: expect.stringMatching(/cannot resolve/) as unknown });
  });

  it('reaches loopback when private targets are allowed, with the answer recorded', async () => {
    const before = hits;
    const r = await postWebhook(`http://localhost:${port}/x`, { 'webhook-id': 'msg_1' }, '{}', opts(true));
    expect(r).toMatchObject({ status: 200, excerpt: 'ok', error: null });
    expect(hits).toBe(before + 1);
  });
});
