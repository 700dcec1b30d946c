import { describe, expect, it } from 'vitest';
import { fillPath } from './client.js';
import { errorFromResponse } from './errors.js';

describe('fillPath', () => {
  it('fills every parameter, encoded, and refuses a missing one', () => {
    expect(fillPath('/applications/:id/versions/:vid', { id: 'a b', vid: 'x/y' })).toBe('/applications/a%20b/versions/x%2Fy');
    expect(() => fillPath('/releases/:id/lock', {})).toThrow('Missing path parameter "id" for /releases/:id/lock');
  });
});

describe('errorFromResponse', () => {
  it("keeps the catalogue's code, message and details, and the roles a FORBIDDEN names", () => {
    const err = errorFromResponse('POST /rollouts', 403, { error: { code: 'FORBIDDEN', message: 'Your role may not do this', details: { required: { vendorRole: 'release-manager' } } } });
    expect(err).toMatchObject({ code: 'FORBIDDEN', status: 403, route: 'POST /rollouts', message: 'Your role may not do this' });
    expect(err.requiredRole).toEqual({ vendorRole: 'release-manager' });
    expect(errorFromResponse('GET /me', 429, { error: { code: 'RATE_LIMITED', message: 'slow down', details: { retryAfterSeconds: 7 } } }).retryAfterSeconds).toBe(7);
  });

  it('gives a body outside the catalogue (a proxy page) the code of its status', () => {
    expect(errorFromResponse('GET /me', 502, '<html>Bad gateway</html>')).toMatchObject({ code: 'INTERNAL', status: 502 });
    expect(errorFromResponse('GET /me', 503, undefined)).toMatchObject({ code: 'UNAVAILABLE', message: 'GET /me: HTTP 503' });
  });
});
