import { createHash } from 'node:crypto';
import type { DesiredComponent } from '@flotilla/protocol';

const PREFIX = 'sha256:';

/**
 * The components with each secret value (the keys a compose spec lists in `secretKeys`) replaced by
 * its SHA-256, as the state file keeps them: the agent can still tell whether a secret changed, and
 * the file holds no secret. Idempotent (a digest stays as it is), pure.
 */
export function withSecretDigests(components: readonly DesiredComponent[]): DesiredComponent[] {
  return components.map((c) => {
    if (c.kind !== 'compose' || !c.spec.secretKeys?.length || !c.spec.environment) return c;
    const environment = { ...c.spec.environment };
    for (const key of c.spec.secretKeys) {
      const value = environment[key];
      if (value !== undefined && !value.startsWith(PREFIX)) environment[key] = `${PREFIX}${createHash('sha256').update(value).digest('hex')}`;
    }
    return { ...c, spec: { ...c.spec, environment } };
  });
}

/** Whether a component carries secrets (which the state file only keeps as digests). */
export function hasSecrets(c: DesiredComponent): boolean {
  return c.kind === 'compose' && (c.spec.secretKeys?.length ?? 0) > 0;
}
