import { afterEach, describe, expect, it, vi } from 'vitest';
import { FlotillaError, errorMessage } from './errors';
import { endsSessionOn401, hub, setUnauthorizedHandler } from './hub';
import { authApi } from './auth';
import { customersApi, invitesApi } from './identity';
import { installationsApi } from './installations';
import { json, stubFetch } from '../testing/fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe('the shared SDK client', () => {
  it('sends JSON to /api/v1 of this origin with the session cookie and returns the parsed body', async () => {
    const calls = stubFetch(() => json(201, { id: 'c1' }));
    await expect(customersApi.create({ name: 'Acme' })).resolves.toEqual({ id: 'c1' });
    expect(calls).toEqual([{ method: 'POST', url: '/api/v1/customers', body: { name: 'Acme' }, credentials: 'same-origin' }]);
  });

  it('puts path parameters and the query in the URL, encoded', async () => {
    const calls = stubFetch(() => new Response(null, { status: 204 }));
    await expect(installationsApi.remove('a/b', true)).resolves.toBeUndefined();
    await installationsApi.remove('a/b', false);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual(['DELETE /api/v1/installations/a%2Fb?uninstall=true', 'DELETE /api/v1/installations/a%2Fb']);
  });

  it("throws the SDK's FlotillaError with the hub's code, message and details", async () => {
    stubFetch(() => json(409, { error: { code: 'CONFLICT', message: 'release is locked', details: { status: 'ready' } } }));
    const err = await customersApi.remove('c1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlotillaError);
    expect(err).toMatchObject({ code: 'CONFLICT', message: 'release is locked', status: 409, details: { status: 'ready' }, route: 'DELETE /customers/:id' });
    expect(errorMessage(err)).toBe('release is locked');
  });

  it("names an answer outside the catalogue (a proxy's page) by its status", async () => {
    stubFetch(() => new Response('<html>proxy</html>', { status: 502, statusText: 'Bad Gateway', headers: { 'content-type': 'text/html' } }));
    await expect(authApi.me()).rejects.toMatchObject({ code: 'INTERNAL', status: 502, message: 'GET /me: HTTP 502 Bad Gateway' });
  });

  it('turns a network failure into an UNAVAILABLE error with status 0', async () => {
    stubFetch(() => {
      throw new TypeError('fetch failed');
    });
    await expect(authApi.me()).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 0, message: 'Cannot reach the hub: fetch failed' });
  });

  it('reports a 401 outside the public routes to the unauthorized handler, once per call', async () => {
    const seen: string[] = [];
    setUnauthorizedHandler((err) => seen.push(`${err.route} ${err.code}`));
    stubFetch(() => json(401, { error: { code: 'UNAUTHORIZED', message: 'session expired' } }));
    await expect(installationsApi.get('i1')).rejects.toBeInstanceOf(FlotillaError);
    await expect(authApi.login({ email: 'a@b.c', password: 'x' })).rejects.toBeInstanceOf(FlotillaError);
    await expect(invitesApi.accept('tok', { name: 'A', password: 'x' })).rejects.toMatchObject({ status: 401 });
    expect(seen).toEqual(['GET /installations/:id UNAUTHORIZED']);
  });

  it('leaves other errors to the caller', async () => {
    const seen: string[] = [];
    setUnauthorizedHandler((err) => seen.push(err.code));
    stubFetch(() => json(403, { error: { code: 'FORBIDDEN', message: 'no' } }));
    await expect(hub.request('GET /tokens')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    expect(seen).toEqual([]);
  });
});

describe('endsSessionOn401', () => {
  it('is false for the public routes, where 401 is about the form', () => {
    expect(endsSessionOn401('POST /auth/login')).toBe(false);
    expect(endsSessionOn401('POST /auth/signup/confirm')).toBe(false);
    expect(endsSessionOn401('POST /invites/:token/accept')).toBe(false);
  });

  it('is true for everything else', () => {
    expect(endsSessionOn401('GET /me')).toBe(true);
    expect(endsSessionOn401('GET /invites')).toBe(true);
    expect(endsSessionOn401('PATCH /users/:id')).toBe(true);
  });
});

describe('errorMessage', () => {
  it('gives a UI message for anything thrown', () => {
    expect(errorMessage(new FlotillaError('NOT_FOUND', 'no such thing', 404, undefined, 'GET /me'))).toBe('no such thing');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage(42)).toBe('Something went wrong');
  });
});
