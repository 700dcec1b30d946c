/**
 * The compose project of a component: `flt-<first 8 chars of installationId>-<component>`, lowercase,
 * so several agents (installations) on one Docker host never share a project.
 */
export function projectName(installationId: string, component: string): string {
  const id = installationId.slice(0, 8).toLowerCase().replace(/[^a-z0-9]/g, '');
  const name = component.toLowerCase().replace(/[^a-z0-9_-]/g, '-');
  return `flt-${id === '' ? 'none' : id}-${name}`;
}

/** The environment given to docker/compose: what the CLIs need, nothing of the agent's own settings. */
export function dockerEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const keep = /^(PATH|HOME|USER|LOGNAME|LANG|LC_[A-Z]+|TMPDIR|TZ|XDG_RUNTIME_DIR|DOCKER_[A-Z_]+|(HTTPS?|NO|ALL)_PROXY|(https?|no|all)_proxy|SSL_CERT_(FILE|DIR))$/;
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && keep.test(key)) out[key] = value;
  }
  return out;
}
