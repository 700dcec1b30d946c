import path from 'node:path';

/** Variables helm and kubectl need from the agent's environment; nothing else (not the agent's secret). */
const KEEP = /^(PATH|HOME|USER|LOGNAME|LANG|LC_[A-Z]+|TMPDIR|TZ|KUBECONFIG|KUBERNETES_SERVICE_(HOST|PORT)|KUBECACHEDIR|HELM_[A-Z_]+|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|SSL_CERT_(FILE|DIR))$/;

/**
 * The environment given to helm and kubectl: the inherited variables they use, plus writable
 * cache/config homes under the agent's state directory (the agent's root filesystem is read-only).
 */
export function cliEnvironment(env: Record<string, string | undefined>, stateDir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && KEEP.test(key)) out[key] = value;
  }
  const home = path.join(stateDir, 'helm');
  out.HELM_CACHE_HOME ??= path.join(home, 'cache');
  out.HELM_CONFIG_HOME ??= path.join(home, 'config');
  out.HELM_DATA_HOME ??= path.join(home, 'data');
  out.KUBECACHEDIR ??= path.join(stateDir, 'kube-cache');
  return out;
}
