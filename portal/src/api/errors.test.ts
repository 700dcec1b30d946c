import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, errorMessage, toApiError } from './errors';
import { endsSessionOn401, query, request, setUnauthorizedHandler } from './client';
import { json, stubFetch } from '../testing/fixtures';

afterEach(() => {
  vi.unstubAllGlobals();
  setUnauthorizedHandler(null);
});

describe('toApiError', () => {
  it('takes code, message and details from the hub error body', () => {
    const err = toApiError(409, 'Conflict', { error: { code: 'CONFLICT', message: 'release is locked', details: { status: 'ready' } } });
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'CONFLICT', message: 'release is locked', status: 409, details: { status: 'ready' } });
  });

  it('falls back to the HTTP status when the body is not a hub error', () => {
    expect(toApiError(502, 'Bad Gateway', '<html>proxy</html>')).toMatchObject({ code: 'INTERNAL', message: 'Bad Gateway', status: 502 });
    expect(toApiError(401, '', undefined)).toMatchObject({ code: 'UNAUTHORIZED', message: 'Request failed with status 401' });
    expect(toApiError(418, 'Teapot', { error: { code: 'NOT_A_CODE', message: 'x' } })).toMatchObject({ code: 'HTTP_ERROR', status: 418 });
  });

  it('gives a UI message for anything thrown', () => {
    expect(errorMessage(new ApiError('NOT_FOUND', 'no such thing', 404))).toBe('no such thing');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage(42)).toBe('Something went wrong');
  });
});

describe('request', () => {
  it('sends JSON to /api/v1 with the session cookie and returns the parsed body', async () => {
    const calls = stubFetch(() => json(201, { id: 'c1' }));
    await expect(request<{ id: string }>('POST', '/customers', { name: 'Acme' })).resolves.toEqual({ id: 'c1' });
    expect(calls).toEqual([{ method: 'POST', url: '/api/v1/customers', body: { name: 'Acme' }, credentials: 'same-origin' }]);
  });

  it('returns undefined for 204', async () => {
    stubFetch(() => new Response(null, { status: 204 }));
    await expect(request('POST', '/auth/logout')).resolves.toBeUndefined();
  });

  it('throws ApiError with the hub code and message', async () => {
    stubFetch(() => json(401, { error: { code: 'UNAUTHORIZED', message: 'wrong email or password' } }));
    const err = await request('POST', '/auth/login', { email: 'a@b.c', password: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'UNAUTHORIZED', status: 401, message: 'wrong email or password' });
  });

  it('turns a network failure into a NETWORK_ERROR ApiError', async () => {
    stubFetch(() => {
      throw new TypeError('fetch failed');
    });
    await expect(request('GET', '/me')).rejects.toMatchObject({ code: 'NETWORK_ERROR', status: 0 });
  });

  it('reports a 401 outside the auth routes to the unauthorized handler', async () => {
    const seen: string[] = [];
    setUnauthorizedHandler((err) => seen.push(err.code));
    stubFetch(() => json(401, { error: { code: 'UNAUTHORIZED', message: 'session expired' } }));
    await expect(request('GET', '/installations')).rejects.toBeInstanceOf(ApiError);
    await expect(request('POST', '/auth/login', {})).rejects.toBeInstanceOf(ApiError);
    expect(seen).toEqual(['UNAUTHORIZED']);
  });
});

describe('endsSessionOn401', () => {
  it('is false for the public routes, where 401 is about the form', () => {
    expect(endsSessionOn401('/auth/login')).toBe(false);
    expect(endsSessionOn401('/invites/abc123/accept')).toBe(false);
    expect(endsSessionOn401('/invites/abc123/accept?x=1')).toBe(false);
  });

  it('is true for everything else', () => {
    expect(endsSessionOn401('/me')).toBe(true);
    expect(endsSessionOn401('/invites')).toBe(true);
    expect(endsSessionOn401('/invites/abc/accept/more')).toBe(true);
    expect(endsSessionOn401('/users/u1')).toBe(true);
  });

  it('spares a wrong password when accepting an invite from the unauthorized handler', async () => {
    const seen: string[] = [];
    setUnauthorizedHandler((err) => seen.push(err.code));
    stubFetch(() => json(401, { error: { code: 'UNAUTHORIZED', message: 'enter its current password' } }));
    await expect(request('POST', '/invites/tok/accept', { name: 'A', password: 'x' })).rejects.toMatchObject({ status: 401 });
    expect(seen).toEqual([]);
  });
});

describe('query', () => {
  it('encodes defined params only', () => {
    expect(query({ limit: 200, cursor: undefined })).toBe('?limit=200');
    expect(query({ cursor: 'a b&c' })).toBe('?cursor=a+b%26c');
    expect(query({})).toBe('');
  });
});
