import { stringify } from 'yaml';

export interface ComposeManifestInput {
  hubUrl: string;
  agentId: string;
  secret: string;
  image: string;
  installationName: string;
  customerName: string;
  projectName: string;
}

/** Where the agent keeps its state, bind-mounted at the same path so compose paths mean the same on the host. */
export const AGENT_STATE_DIR = '/var/lib/flotilla-agent';

/**
 * The agent's own compose file: the agent container with the Docker socket mounted and its
 * credentials in env. Pure; the YAML library does the quoting.
 */
export function composeAgentManifest(m: ComposeManifestInput): string {
  const doc = {
    name: m.projectName,
    services: {
      'flotilla-agent': {
        image: m.image,
        // The image's entrypoint starts as root only to take over the bind-mounted state directory and
        // join the Docker socket's group (its gid differs per host), then runs the agent as uid 1000.
        user: '0:0',
        restart: 'unless-stopped',
        network_mode: 'host',
        environment: {
          FLOTILLA_HUB_URL: m.hubUrl,
          FLOTILLA_AGENT_ID: m.agentId,
          FLOTILLA_AGENT_SECRET: m.secret,
          FLOTILLA_STATE_DIR: AGENT_STATE_DIR,
        },
        volumes: ['/var/run/docker.sock:/var/run/docker.sock', `${AGENT_STATE_DIR}:${AGENT_STATE_DIR}`],
        labels: { 'dev.flotilla.role': 'agent' },
      },
    },
  };
  return `# Flotilla agent for "${m.installationName}" (${m.customerName}).\n# Contains this agent's secret: keep it private.\n${stringify(doc)}`;
}

export function composeInstallCommand(installUrl: string, projectName: string): string {
  return `curl -fsSL '${installUrl}' | docker compose -p ${projectName} -f - up -d`;
}

export interface HelmManifestInput {
  hubUrl: string;
  agentId: string;
  secret: string;
  image: string;
  namespace: string;
  installationName: string;
}

/**
 * The Kubernetes manifest for agent-helm, namespace-scoped (least privilege): a ServiceAccount, a
 * Role limited to the namespace, its RoleBinding, a Secret with the credentials and the agent
 * Deployment reading them from the Secret. Applied with `kubectl apply -f <url>`.
 */
export function helmAgentManifest(m: HelmManifestInput): string {
  const labels = { 'app.kubernetes.io/name': 'flotilla-agent', 'app.kubernetes.io/part-of': 'flotilla' };
  const docs = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'flotilla-agent', namespace: m.namespace, labels } },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'flotilla-agent', namespace: m.namespace, labels },
      rules: [{ apiGroups: ['', 'apps', 'batch', 'networking.k8s.io', 'autoscaling', 'policy'], resources: ['*'], verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'] }],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'flotilla-agent', namespace: m.namespace, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'flotilla-agent' },
      subjects: [{ kind: 'ServiceAccount', name: 'flotilla-agent', namespace: m.namespace }],
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'flotilla-agent', namespace: m.namespace, labels },
      type: 'Opaque',
      stringData: { FLOTILLA_HUB_URL: m.hubUrl, FLOTILLA_AGENT_ID: m.agentId, FLOTILLA_AGENT_SECRET: m.secret },
    },
    {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'flotilla-agent', namespace: m.namespace, labels },
      spec: {
        replicas: 1,
        strategy: { type: 'Recreate' },
        selector: { matchLabels: labels },
        template: {
          metadata: { labels },
          spec: {
            serviceAccountName: 'flotilla-agent',
            securityContext: { runAsNonRoot: true, runAsUser: 10001 },
            containers: [
              {
                name: 'agent',
                image: m.image,
                envFrom: [{ secretRef: { name: 'flotilla-agent' } }],
                env: [{ name: 'FLOTILLA_STATE_DIR', value: '/var/lib/flotilla-agent' }],
                volumeMounts: [{ name: 'state', mountPath: '/var/lib/flotilla-agent' }],
                securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true },
              },
            ],
            volumes: [{ name: 'state', emptyDir: {} }],
          },
        },
      },
    },
  ];
  return `# Flotilla agent-helm for "${m.installationName}". Contains this agent's secret: keep it private.\n${docs.map((d) => stringify(d)).join('---\n')}`;
}

export function helmInstallCommand(installUrl: string): string {
  return `kubectl apply -f '${installUrl}'`;
}
