import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlotillaClient, FlotillaError } from '@flotilla/sdk';
import { COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { validatorFor } from './openapi-validator.js';

/** The SDK's REST client against a real hub: session and token auth, typed errors, pagination. */
let tdb: TestDatabase | undefined;
let hub: TestHub | undefined;
const password = 'correct horse battery staple';
let admin: FlotillaClient;
let email: string;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  email = `sdk-${randomSuffix()}@example.com`;
  admin = new FlotillaClient({ url: hub.url });
  await admin.request('POST /auth/signup', { body: { email, password, name: 'Ada', vendorName: `SDK ${randomSuffix()}` } });
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
});

describe('FlotillaClient', () => {
  it('keeps the session from sign-up and login, and answers typed bodies that match the document', async () => {
    const me = await admin.request('GET /me');
    expect(me.user.email).toBe(email);
    const other = new FlotillaClient({ url: (hub as TestHub).url });
    const login = await other.login(email, password);
    expect(login.memberships[0]?.role).toBe('admin');
    const app = await other.request('POST /applications', { body: { name: 'shop', kind: 'compose' } });
    const version = await other.request('POST /applications/:id/versions', { params: { id: app.id }, body: { version: '1.0.0', compose: { file: COMPOSE_V1 } } });
    expect(version.applicationId).toBe(app.id);
    const v = await validatorFor((hub as TestHub).url);
    expect(v.check('POST', `/applications/${app.id}/versions`, 201, version, 'application/json')).toEqual([]);
    await other.request('POST /auth/logout');
    await expect(other.request('GET /me')).rejects.toMatchObject({ code: 'UNAUTHORIZED', status: 401 });
  });

  it('authenticates with an API token and says which scope a refused call needs', async () => {
    const created = await admin.request('POST /tokens', { body: { name: 'ci', role: 'viewer' } });
    const viewer = new FlotillaClient({ url: (hub as TestHub).url, token: created.token });
    expect((await viewer.request('GET /me')).user.email).toBe(email);
    const refused = await viewer.request('POST /customers', { body: { name: 'Nope' } }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(FlotillaError);
    expect(refused).toMatchObject({ code: 'FORBIDDEN', status: 403, route: 'POST /customers', requiredRole: { vendorRole: 'admin' } });
    const bad = new FlotillaClient({ url: (hub as TestHub).url, token: 'flt_not-a-token' });
    await expect(bad.request('GET /me')).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('throws the catalogue code with the validation issues, and a missing resource as NOT_FOUND', async () => {
    const err = (await admin.request('POST /customers', { body: { name: '' } }).catch((e: unknown) => e)) as FlotillaError;
    expect(err.code).toBe('VALIDATION_FAILED');
    expect(err.details?.issues).toEqual([expect.objectContaining({ path: 'name' })]);
    await expect(admin.request('GET /customers/:id', { params: { id: '00000000-0000-4000-8000-000000000000' } })).rejects.toMatchObject({ code: 'NOT_FOUND', status: 404 });
  });

  it('iterates every page of a list, asking page after page', async () => {
    const names = Array.from({ length: 7 }, (_, i) => `Customer ${i}`);
    for (const name of names) await admin.request('POST /customers', { body: { name } });
    const pages: string[] = [];
    const counting = new FlotillaClient({
      url: (hub as TestHub).url,
      token: (await admin.request('POST /tokens', { body: { name: 'pager' } })).token,
      fetch: (input, init) => {
        pages.push(String(input));
        return fetch(input, init);
      },
    });
    const seen: string[] = [];
    for await (const c of counting.paginate('GET /customers', { query: { limit: 3 } })) seen.push(c.name);
    expect(new Set(seen)).toEqual(new Set(names));
    expect(pages).toHaveLength(3);
    expect(pages[1]).toContain('cursor=');
  });

  it('reports an unreachable hub as UNAVAILABLE with status 0', async () => {
    const gone = new FlotillaClient({ url: 'http://127.0.0.1:9' });
    await expect(gone.request('GET /me')).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 0 });
  });
});
