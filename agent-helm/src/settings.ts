import { readFileSync } from 'node:fs';
import { ConfigError } from '@flotilla/agent-core';
import { z } from 'zod';

/** Where Kubernetes mounts the pod's namespace. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** agent-helm's settings beyond agent-core's common FLOTILLA_* ones. README mirrors this. */
export interface HelmAgentSettings {
  /** Namespace the releases are installed into. */
  namespace: string;
  /** The agent's own Deployment (self-update patches its image), if known. */
  agentDeployment: { name: string; namespace: string } | undefined;
  /** helm `--timeout` (seconds) when a component gives none. */
  helmTimeoutSeconds: number;
}

const emptyToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const DnsLabel = z.string().regex(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/, 'must be a Kubernetes name (lowercase letters, digits, "-", at most 63)');

const Env = z.object({
  FLOTILLA_NAMESPACE: z.preprocess(emptyToUndefined, DnsLabel.optional()),
  FLOTILLA_AGENT_DEPLOYMENT: z.preprocess(emptyToUndefined, DnsLabel.optional()),
  FLOTILLA_HELM_TIMEOUT: z.preprocess(
    emptyToUndefined,
    z.coerce.number({ message: 'must be a number of seconds' }).int('must be whole seconds').min(1).max(3600).default(300),
  ),
});

/**
 * Reads agent-helm's own settings. The namespace is FLOTILLA_NAMESPACE, else the pod's namespace
 * (service account mount), else "default". Throws a ConfigError naming the variable at fault.
 */
export function loadHelmSettings(env: Record<string, string | undefined>, podNamespace: () => string | undefined = readPodNamespace): HelmAgentSettings {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${String(i.path[0] ?? '')} ${i.message}`);
    throw new ConfigError(`Invalid agent configuration: ${problems.join('; ')}`);
  }
  const pod = podNamespace();
  const namespace = parsed.data.FLOTILLA_NAMESPACE ?? pod ?? 'default';
  const deployment = parsed.data.FLOTILLA_AGENT_DEPLOYMENT;
  return {
    namespace,
    agentDeployment: deployment === undefined ? undefined : { name: deployment, namespace: pod ?? namespace },
    helmTimeoutSeconds: parsed.data.FLOTILLA_HELM_TIMEOUT,
  };
}

function readPodNamespace(): string | undefined {
  try {
    const text = readFileSync(SERVICE_ACCOUNT_NAMESPACE_FILE, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}
