import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import type { AgentCredentials } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';

/** Helm installations: created like compose ones; their install link serves a namespace-scoped Kubernetes manifest. */
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, publicUrl: 'https://hub.example.com' });
  api = new ApiClient(hub.url);
  await api.signup(randomSuffix());
});

afterAll(async () => {
  await hub.close();
  await tdb.drop();
});

describe('helm installations', () => {
  it('get a kubectl install command and a least-privilege manifest with the credentials in a Secret', async () => {
    const customer = (await api.post<{ id: string }>('/customers', { name: 'K8s Co' })).body.id;
    const inst = await api.post<{ id: string; agentKind: string }>('/installations', { customerId: customer, name: 'cluster', environment: 'prod', agentKind: 'helm' });
    expect(inst.status).toBe(201);
    expect(inst.body.agentKind).toBe('helm');
    const creds = (await api.post<AgentCredentials>(`/installations/${inst.body.id}/agent-credentials`)).body;
    expect(creds.installCommand).toBe(`kubectl apply -f '${creds.installUrl}'`);
    const res = await fetch(`${hub.url}${new URL(creds.installUrl).pathname}`);
    expect(res.status).toBe(200);
    const docs = parseAllDocuments(await res.text()).map((d) => d.toJS() as { kind: string; rules?: unknown[]; stringData?: Record<string, string> });
    expect(docs.map((d) => d.kind)).toEqual(['ServiceAccount', 'Role', 'RoleBinding', 'Secret', 'Deployment']);
    expect(docs.some((d) => d.kind === 'ClusterRole' || d.kind === 'ClusterRoleBinding')).toBe(false);
    expect(docs.find((d) => d.kind === 'Secret')?.stringData).toEqual({ FLOTILLA_HUB_URL: 'https://hub.example.com', FLOTILLA_AGENT_ID: creds.agentId, FLOTILLA_AGENT_SECRET: creds.secret });
  });

  it('deploy helm versions to helm installations only', async () => {
    const customer = (await api.post<{ id: string }>('/customers', { name: 'Mixed' })).body.id;
    const helmApp = (await api.post<{ id: string }>('/applications', { name: 'chart-app', kind: 'helm' })).body.id;
    const version = await api.post<{ id: string }>(`/applications/${helmApp}/versions`, { version: '1.0.0', helm: { chart: 'api', repo: 'https://charts.example.com', chartVersion: '1.0.0', values: 'replicas: 2\n' } });
    expect(version.status).toBe(201);
    const helmInst = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'k8s', environment: 'prod', agentKind: 'helm' })).body.id;
    const composeInst = (await api.post<{ id: string }>('/installations', { customerId: customer, name: 'docker', environment: 'prod', agentKind: 'compose' })).body.id;
    expect((await api.post(`/installations/${helmInst}/deploy`, { versionId: version.body.id })).status).toBe(202);
    const refused = await api.post<{ error: { message: string } }>(`/installations/${composeInst}/deploy`, { versionId: version.body.id });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('runs a compose agent');
  });
});
