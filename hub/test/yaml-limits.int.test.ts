import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { ApiClient, COMPOSE_V1 } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { aliasBomb } from './hostile-inputs.js';

/**
 * Every YAML the hub stores (compose files, helm values, values overrides) is loaded when it is
 * stored with the loader deploys use: an alias bomb or an undefined alias is a 400 then, never a
 * 500 ("Excessive alias count") at deploy time.
 */
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;
let helmApp: string;
let composeApp: string;
let helmVersion: string;
let installation: string;

const HELM = { chart: 'shop', repo: 'https://charts.example.com', chartVersion: '1.0.0' };
type Err = { error: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } } };

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
  helmApp = (await api.post<{ id: string }>('/applications', { name: 'Shop', kind: 'helm' })).body.id;
  composeApp = (await api.post<{ id: string }>('/applications', { name: 'Web', kind: 'compose' })).body.id;
  helmVersion = (await api.post<{ id: string }>(`/applications/${helmApp}/versions`, { version: '1.0.0', helm: { ...HELM, values: 'replicas: 1\n' } })).body.id;
  const customer = (await api.post<{ id: string }>('/customers', { name: 'Acme' })).body.id;
  installation = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'main', environment: 'production', agentKind: 'helm' })).body.id;
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

function expectIssue(res: { status: number; body: unknown }, path: string, message: RegExp) {
  expect(res.status, JSON.stringify(res.body)).toBe(400);
  const body = res.body as Err;
  expect(body.error.code).toBe('VALIDATION_FAILED');
  expect(`${JSON.stringify(body.error.details?.issues ?? [])} ${body.error.message}`).toMatch(path);
  expect(`${JSON.stringify(body.error.details?.issues ?? [])} ${body.error.message}`).toMatch(message);
}

describe('YAML limits at the edge', () => {
  it('refuses a compose file with an alias bomb under an x- key, and one with an undefined alias', async () => {
    expectIssue(await api.post(`/applications/${composeApp}/versions`, { version: '1.0.0', compose: { file: `${aliasBomb(6, 'x-lol')}${COMPOSE_V1}` } }), 'compose.file', /alias bomb/);
    expectIssue(await api.post(`/applications/${composeApp}/versions`, { version: '1.0.1', compose: { file: `x-a:\n  r: *missing\n${COMPOSE_V1}` } }), 'compose.file', /\*missing refers to no anchor/);
  });

  it('refuses helm default values with an alias bomb', async () => {
    expectIssue(await api.post(`/applications/${helmApp}/versions`, { version: '2.0.0', helm: { ...HELM, values: aliasBomb(6, 'lol') } }), 'helm.values', /alias bomb/);
  });

  it('refuses a values override with an alias bomb, so the deploy that follows works', async () => {
    expectIssue(await api.call('PATCH', `/installations/${installation}`, { helmValues: { shop: aliasBomb(6, 'lol') } }), 'helmValues.shop', /alias bomb/);
    expect((await api.call('PATCH', `/installations/${installation}`, { helmValues: { shop: 'replicas: 3\n' } })).status).toBe(200);
    expect((await api.post(`/installations/${installation}/deploy`, { versionId: helmVersion })).status).toBe(202);
  });

  it('answers a deploy with an override stored before these checks with 409 and what to fix, never 500', async () => {
    const db = new pg.Client({ connectionString: tdb.url });
    await db.connect();
    try {
      await db.query("UPDATE installation_config SET helm_values = $1 WHERE installation_id = $2 AND component = 'shop'", [aliasBomb(6, 'lol'), installation]);
    } finally {
      await db.end();
    }
    const res = await api.post<Err>(`/installations/${installation}/deploy`, { versionId: helmVersion });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/values override cannot be used: too many aliases/);
  });
});
