import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import type { AgentCredentials, ApplicationVersion, DesiredComponent, Installation } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { connectAgent, host, nextDesired } from './sim-agent.js';

/** Helm installations: the install manifest (least privilege), helm values overrides, chart credentials. */
let tdb: TestDatabase;
let hub: TestHub;
let api: ApiClient;

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}
interface K8sDoc {
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: Rule[];
  roleRef?: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace: string }[];
  stringData?: Record<string, string>;
  spec?: { template: { spec: { serviceAccountName: string; containers: { name: string; env: EnvVar[]; envFrom?: unknown }[] } } };
}

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

async function customer(name: string): Promise<string> {
  return (await api.post<{ id: string }>('/customers', { name })).body.id;
}

async function manifestOf(installationId: string): Promise<{ creds: AgentCredentials; docs: K8sDoc[] }> {
  const creds = (await api.post<AgentCredentials>(`/installations/${installationId}/agent-credentials`)).body;
  expect(creds.installCommand).toBe(`kubectl apply -f '${creds.installUrl}'`);
  const res = await fetch(`${hub.url}${new URL(creds.installUrl).pathname}`);
  expect(res.status).toBe(200);
  const parsed = parseAllDocuments(await res.text());
  for (const doc of parsed) expect(doc.errors).toEqual([]);
  return { creds, docs: parsed.map((d) => d.toJS() as K8sDoc) };
}

const allRules = (docs: K8sDoc[]) => docs.flatMap((d) => d.rules ?? []);

describe('helm installations', () => {
  it('get a kubectl install command and a least-privilege, namespace-scoped manifest', async () => {
    const inst = await api.post<Installation>('/installations', { customerId: await customer('K8s Co'), name: 'cluster', environment: 'prod', agentKind: 'helm' });
    expect(inst.status).toBe(201);
    expect(inst.body).toMatchObject({ agentKind: 'helm', clusterScoped: false, helmValues: {} });
    const { creds, docs } = await manifestOf(inst.body.id);

    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'Role', 'RoleBinding', 'Secret', 'Deployment']);
    expect(docs.some((d) => d.kind.startsWith('Cluster'))).toBe(false);
    const ns = docs[0]?.metadata.name ?? '';
    for (const d of docs.slice(1)) expect(d.metadata.namespace).toBe(ns);

    // Least privilege: no wildcard anywhere, no cluster-level resources, helm's release storage (secrets) allowed.
    const rules = allRules(docs);
    for (const r of rules) {
      expect(r.verbs).not.toContain('*');
      expect(r.resources).not.toContain('*');
      expect(r.apiGroups).not.toContain('*');
    }
    const resources = rules.flatMap((r) => r.resources);
    expect(resources).toEqual(expect.arrayContaining(['secrets', 'deployments', 'statefulsets', 'jobs', 'services', 'pods/log']));
    expect(resources).not.toEqual(expect.arrayContaining(['namespaces']));
    expect(resources.some((r) => r.startsWith('cluster') || r === 'customresourcedefinitions')).toBe(false);
    // Self-update may patch only the agent's own Deployment.
    const self = rules.find((r) => r.resourceNames !== undefined);
    expect(self).toEqual({ apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['flotilla-agent'], verbs: ['get', 'patch'] });
    // Each binding binds the agent's ServiceAccount to the Role of its name.
    for (const b of docs.filter((d) => d.kind === 'RoleBinding')) {
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: 'flotilla-agent', namespace: ns }]);
      expect(docs.some((d) => d.kind === 'Role' && d.metadata.name === b.roleRef?.name)).toBe(true);
    }

    // The Secret holds the credentials; the Deployment reads them through secretKeyRef and names itself and its namespace.
    const secret = docs.find((d) => d.kind === 'Secret');
    expect(secret?.stringData).toEqual({ FLOTILLA_HUB_URL: 'https://hub.example.com', FLOTILLA_AGENT_ID: creds.agentId, FLOTILLA_AGENT_SECRET: creds.secret });
    const deployment = docs.find((d) => d.kind === 'Deployment');
    const pod = deployment?.spec?.template.spec;
    expect(pod?.serviceAccountName).toBe('flotilla-agent');
    const container = pod?.containers[0];
    expect(container?.name).toBe('agent');
    expect(container?.envFrom).toBeUndefined();
    const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e]));
    for (const key of ['FLOTILLA_HUB_URL', 'FLOTILLA_AGENT_ID', 'FLOTILLA_AGENT_SECRET']) {
      expect(env[key]).toEqual({ name: key, valueFrom: { secretKeyRef: { name: secret?.metadata.name, key } } });
    }
    expect(env.FLOTILLA_AGENT_DEPLOYMENT?.value).toBe(deployment?.metadata.name);
    expect(env.FLOTILLA_NAMESPACE?.value).toBe(ns);
    expect(JSON.stringify(deployment)).not.toContain(creds.secret);
  });

  it('a cluster-scoped installation gets a ClusterRole and ClusterRoleBinding; compose installations cannot be', async () => {
    const cus = await customer('Cluster Co');
    const inst = (await api.post<Installation>('/installations', { customerId: cus, name: 'cluster', environment: 'prod', agentKind: 'helm', clusterScoped: true })).body;
    expect(inst.clusterScoped).toBe(true);
    const { docs } = await manifestOf(inst.id);
    expect(docs.map((d) => d.kind)).toEqual(['Namespace', 'ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding', 'Secret', 'Deployment']);
    const clusterRole = docs.find((d) => d.kind === 'ClusterRole');
    expect(clusterRole?.metadata.namespace).toBeUndefined();
    expect(clusterRole?.rules?.flatMap((r) => r.resources)).toEqual(expect.arrayContaining(['namespaces', 'customresourcedefinitions', 'secrets']));
    for (const r of allRules(docs)) expect([...r.verbs, ...r.resources]).not.toContain('*');

    const refused = await api.post<{ error: { message: string } }>('/installations', { customerId: cus, name: 'docker', environment: 'prod', agentKind: 'compose', clusterScoped: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toBe('clusterScoped applies to helm installations only');
    const patched = await api.call<Installation>('PATCH', `/installations/${inst.id}`, { clusterScoped: false });
    expect(patched.body.clusterScoped).toBe(false);
    expect((await manifestOf(inst.id)).docs.some((d) => d.kind === 'ClusterRole')).toBe(false);
  });

  it('deploy helm versions to helm installations only', async () => {
    const cus = await customer('Mixed');
    const helmApp = (await api.post<{ id: string }>('/applications', { name: 'chart-app', kind: 'helm' })).body.id;
    const version = await api.post<{ id: string }>(`/applications/${helmApp}/versions`, { version: '1.0.0', helm: { chart: 'api', repo: 'https://charts.example.com', chartVersion: '1.0.0', values: 'replicas: 2\n' } });
    expect(version.status).toBe(201);
    const helmInst = (await api.post<{ id: string }>('/installations', { customerId: cus, name: 'k8s', environment: 'prod', agentKind: 'helm' })).body.id;
    const composeInst = (await api.post<{ id: string }>('/installations', { customerId: cus, name: 'docker', environment: 'prod', agentKind: 'compose' })).body.id;
    expect((await api.post(`/installations/${helmInst}/deploy`, { versionId: version.body.id })).status).toBe(202);
    const refused = await api.post<{ error: { message: string } }>(`/installations/${composeInst}/deploy`, { versionId: version.body.id });
    expect(refused.status).toBe(400);
    expect(refused.body.error.message).toContain('runs a compose agent');
    const overrides = await api.call<{ error: { message: string } }>('PATCH', `/installations/${composeInst}`, { helmValues: { web: 'a: 1\n' } });
    expect(overrides.status).toBe(400);
    expect(overrides.body.error.message).toMatch(/^helmValues applies to helm installations only/);
  });

  it('helm values: version defaults deep-merged with the installation\'s overrides, credentials reach the agent but never REST', async () => {
    const cus = await customer('Values Co');
    const app = (await api.post<{ id: string }>('/applications', { name: 'Shop API', kind: 'helm' })).body.id;
    const defaults = 'replicaCount: 1\nimage:\n  repository: acme/api\n  tag: "2.0.0"\ningress:\n  hosts: [a.example.com, b.example.com]\n';
    const helm = { chart: 'api', oci: 'oci://registry.example.com/charts/api', chartVersion: '2.0.0', values: defaults, credentials: { username: 'robot', password: 'registry-pass-123' } };
    const created = await api.post<ApplicationVersion>(`/applications/${app}/versions`, { version: '2.0.0', helm });
    expect(created.status).toBe(201);
    expect(created.body.helm?.credentials).toEqual({ username: 'robot', passwordSet: true });
    const listed = await api.get<{ items: ApplicationVersion[] }>(`/applications/${app}/versions`);
    const fetched = await api.get<ApplicationVersion>(`/applications/${app}/versions/${created.body.id}`);
    for (const text of [JSON.stringify(created.body), JSON.stringify(listed.body), JSON.stringify(fetched.body)]) expect(text).not.toContain('registry-pass-123');

    const inst = (await api.post<Installation>('/installations', { customerId: cus, name: 'k8s', environment: 'prod', agentKind: 'helm' })).body;
    for (const [bad, message] of [
      [{ 'shop-api': '- a\n' }, 'helmValues.shop-api: must be a YAML mapping'],
      [{ 'shop-api': 'a: [1\n' }, 'helmValues.shop-api: not valid YAML'],
      [{ 'Shop API': 'a: 1\n' }, 'helmValues.Shop API: Invalid key in record'],
    ] as const) {
      const res = await api.call<{ error: { message: string } }>('PATCH', `/installations/${inst.id}`, { helmValues: bad });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
    }
    const override = 'replicaCount: 3\nimage:\n  tag: "2.0.1"\ningress:\n  hosts: [shop.customer.com]\n';
    const patched = await api.call<Installation>('PATCH', `/installations/${inst.id}`, { helmValues: { 'shop-api': override } });
    expect(patched.body.helmValues).toEqual({ 'shop-api': override });

    const creds = (await api.post<AgentCredentials>(`/installations/${inst.id}/agent-credentials`)).body;
    const agent = await connectAgent(hub.url, creds.agentId, creds.secret, { kind: 'helm' });
    try {
      await agent.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] });
      const pushed = nextDesired(agent);
      expect((await api.post(`/installations/${inst.id}/deploy`, { versionId: created.body.id })).status).toBe(202);
      const [component] = (await pushed).components as Extract<DesiredComponent, { kind: 'helm' }>[];
      expect(component?.name).toBe('shop-api');
      expect(parse(component?.spec.values ?? '')).toEqual({ replicaCount: 3, image: { repository: 'acme/api', tag: '2.0.1' }, ingress: { hosts: ['shop.customer.com'] } });
      expect(component?.spec.credentials).toEqual({ username: 'robot', password: 'registry-pass-123' });
      expect(component?.spec.oci).toBe('oci://registry.example.com/charts/api');
    } finally {
      agent.close();
    }
  });
});
