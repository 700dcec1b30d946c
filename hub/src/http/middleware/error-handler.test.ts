import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import Router from '@koa/router';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../logger.js';
import { AppError } from '../../errors.js';
import { createKoaApp } from '../koa-app.js';
import { parseOrThrow } from '../validate.js';

let server: Server;
let base: string;
const lines: string[] = [];

beforeAll(async () => {
  // Capture log lines to check that internal error text is logged but never sent.
  const captured = createLogger('info', {}, { write: (line: string) => void lines.push(line) });
  const router = new Router();
  router.get('/app-error', () => {
    throw new AppError('CONFLICT', 'Release is locked', { state: 'ready' });
  });
  router.get('/boom', () => {
    throw new Error('password=hunter2 in SQL');
  });
  router.post('/validated', (ctx) => {
    ctx.body = parseOrThrow(z.object({ name: z.string().min(1) }), ctx.request.body, 'body');
  });
  router.get('/limited', () => {
    throw new AppError('RATE_LIMITED', 'Too many attempts', { retryAfterSeconds: 2.2 });
  });
  const app = createKoaApp({ logger: captured, rootRouters: [router], apiRouter: new Router(), trustProxy: false, https: false });
  server = createServer(app.callback());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('error middleware', () => {
  it('sends AppError with its catalogue status, code, message and details', async () => {
    const res = await fetch(`${base}/app-error`);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({ error: { code: 'CONFLICT', message: 'Release is locked', details: { state: 'ready' } } });
  });

  it('hides unknown errors behind INTERNAL', async () => {
    const res = await fetch(`${base}/boom`);
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'INTERNAL', message: 'Internal error' } });
    expect(text).not.toContain('hunter2');
    expect(lines.some((l) => l.includes('hunter2') && l.includes('unhandled error'))).toBe(true);
  });

  it('answers VALIDATION_FAILED with the failing field', async () => {
    const res = await fetch(`${base}/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":""}' });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string; details: { issues: { path: string }[] } } };
    expect(body.error.code).toBe('VALIDATION_FAILED');
    expect(body.error.message).toContain('name');
    expect(body.error.details.issues[0]?.path).toBe('name');
  });

  it('answers malformed JSON with VALIDATION_FAILED, not INTERNAL', async () => {
    const res = await fetch(`${base}/validated`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('VALIDATION_FAILED');
  });

  it('answers unknown routes with NOT_FOUND in the same shape', async () => {
    const res = await fetch(`${base}/nowhere`);
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });

  it('sets Retry-After on RATE_LIMITED', async () => {
    const res = await fetch(`${base}/limited`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('echoes a sane X-Request-Id and replaces an insane one', async () => {
    const a = await fetch(`${base}/app-error`, { headers: { 'x-request-id': 'abc-123' } });
    expect(a.headers.get('x-request-id')).toBe('abc-123');
    const b = await fetch(`${base}/app-error`, { headers: { 'x-request-id': 'a b\u00e9'.repeat(100) } });
    expect(b.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
