import { stringify } from 'yaml';

export interface HelmManifestInput {
  hubUrl: string;
  agentId: string;
  secret: string;
  image: string;
  namespace: string;
  installationName: string;
  /** Grant the rules cluster-wide (ClusterRole) instead of in the namespace (Role, the default). */
  clusterScoped: boolean;
}

/** Name of the agent's ServiceAccount, Role(s), Secret and Deployment. */
export const HELM_AGENT_NAME = 'flotilla-agent';
/** Where the agent keeps its state (an emptyDir: the root filesystem is read-only). */
const STATE_DIR = '/var/lib/flotilla-agent';
const MANAGE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'];
const READ = ['get', 'list', 'watch'];

interface PolicyRule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/**
 * What helm needs to install the usual charts: explicit resources, no wildcards. Secrets hold
 * helm's release records; Roles/RoleBindings can grant only what the agent holds itself
 * (Kubernetes' escalation check). Pods/log and events serve logs and diagnosis.
 */
const NAMESPACE_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['configmaps', 'secrets', 'services', 'serviceaccounts', 'persistentvolumeclaims', 'pods', 'endpoints'], verbs: MANAGE },
  { apiGroups: [''], resources: ['pods/log', 'events'], verbs: READ },
  { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'], verbs: MANAGE },
  { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: MANAGE },
  { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'networkpolicies'], verbs: MANAGE },
  { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: MANAGE },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets'], verbs: MANAGE },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles', 'rolebindings'], verbs: MANAGE },
];

/** Cluster-scoped installations also manage what charts create outside a namespace. */
const CLUSTER_RULES: PolicyRule[] = [
  { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch', 'create'] },
  { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: MANAGE },
  { apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles', 'clusterrolebindings'], verbs: MANAGE },
];

/** Self-update patches the agent's own Deployment, and only that one. */
const SELF_RULES: PolicyRule[] = [{ apiGroups: ['apps'], resources: ['deployments'], resourceNames: [HELM_AGENT_NAME], verbs: ['get', 'patch'] }];

const SECRET_KEYS = ['FLOTILLA_HUB_URL', 'FLOTILLA_AGENT_ID', 'FLOTILLA_AGENT_SECRET'] as const;

/**
 * The Kubernetes manifest for agent-helm, pure: its Namespace, ServiceAccount, the helm rules as a
 * namespace-scoped Role (default) or a ClusterRole, a Role for updating its own Deployment, a Secret
 * with the credentials and the agent Deployment reading them through secretKeyRef. Applied with
 * `kubectl apply -f <url>`.
 */
export function helmAgentManifest(m: HelmManifestInput): string {
  const labels = { 'app.kubernetes.io/name': HELM_AGENT_NAME, 'app.kubernetes.io/part-of': 'flotilla' };
  const meta = (name: string, namespaced = true) => ({ name, ...(namespaced ? { namespace: m.namespace } : {}), labels });
  const subjects = [{ kind: 'ServiceAccount', name: HELM_AGENT_NAME, namespace: m.namespace }];
  const roleKind = m.clusterScoped ? 'ClusterRole' : 'Role';
  const selfName = `${HELM_AGENT_NAME}-self-update`;
  const docs = [
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: m.namespace, labels } },
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(HELM_AGENT_NAME) },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: roleKind,
      metadata: meta(HELM_AGENT_NAME, !m.clusterScoped),
      rules: m.clusterScoped ? [...NAMESPACE_RULES, ...CLUSTER_RULES] : NAMESPACE_RULES,
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: `${roleKind}Binding`,
      metadata: meta(HELM_AGENT_NAME, !m.clusterScoped),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: roleKind, name: HELM_AGENT_NAME },
      subjects,
    },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: meta(selfName), rules: SELF_RULES },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(selfName),
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: selfName },
      subjects,
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(HELM_AGENT_NAME),
      type: 'Opaque',
      stringData: { FLOTILLA_HUB_URL: m.hubUrl, FLOTILLA_AGENT_ID: m.agentId, FLOTILLA_AGENT_SECRET: m.secret },
    },
    agentDeployment(m, labels),
  ];
  const scope = m.clusterScoped ? 'cluster-scoped' : `scoped to namespace ${m.namespace}`;
  return `# Flotilla agent-helm for "${m.installationName}" (${scope}). Contains this agent's secret: keep it private.\n${docs.map((d) => stringify(d, { aliasDuplicateObjects: false })).join('---\n')}`;
}

function agentDeployment(m: HelmManifestInput, labels: Record<string, string>) {
  const fromSecret = SECRET_KEYS.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: HELM_AGENT_NAME, key } } }));
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: HELM_AGENT_NAME, namespace: m.namespace, labels },
    spec: {
      replicas: 1,
      strategy: { type: 'Recreate' },
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          serviceAccountName: HELM_AGENT_NAME,
          securityContext: { runAsNonRoot: true, runAsUser: 10001 },
          containers: [
            {
              name: 'agent',
              image: m.image,
              env: [
                ...fromSecret,
                { name: 'FLOTILLA_STATE_DIR', value: STATE_DIR },
                { name: 'FLOTILLA_NAMESPACE', value: m.namespace },
                { name: 'FLOTILLA_AGENT_DEPLOYMENT', value: HELM_AGENT_NAME },
              ],
              volumeMounts: [{ name: 'state', mountPath: STATE_DIR }],
              securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
            },
          ],
          volumes: [{ name: 'state', emptyDir: {} }],
        },
      },
    },
  };
}

export function helmInstallCommand(installUrl: string): string {
  return `kubectl apply -f '${installUrl}'`;
}
