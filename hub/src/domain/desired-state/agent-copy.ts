import type { DesiredComponent, DesiredState } from '@flotilla/protocol';
import type { SecretBox } from '../../infra/secret-box.js';

/**
 * The copy of a desired state an agent receives: stored revisions keep each secret sealed in its
 * compose component's `environment` (the keys listed in `secretKeys`); only here, on the way to the
 * agent (push, queued retry, hello, HTTP poll), are they opened. Nothing else ever sees them plain.
 * Pure given `open` (the secret box's).
 */
export function agentCopy(state: DesiredState, open: (sealed: string) => string): DesiredState {
  if (!state.components.some(hasSecrets)) return state;
  return { ...state, components: state.components.map((c) => (hasSecrets(c) ? opened(c, open) : c)) };
}

/** `agentCopy` with the hub's secret box: what the agent outbox, hello and HTTP polls hand to agents. */
export function agentCopyWith(box: Pick<SecretBox, 'open'>): (state: DesiredState) => DesiredState {
  return (state) => agentCopy(state, (sealed) => box.open(sealed));
}

function hasSecrets(c: DesiredComponent): c is Extract<DesiredComponent, { kind: 'compose' }> {
  return c.kind === 'compose' && (c.spec.secretKeys?.length ?? 0) > 0;
}

function opened(c: Extract<DesiredComponent, { kind: 'compose' }>, open: (sealed: string) => string): DesiredComponent {
  const environment = { ...c.spec.environment };
  for (const key of c.spec.secretKeys ?? []) {
    const sealed = environment[key];
    if (sealed !== undefined) environment[key] = open(sealed);
  }
  return { ...c, spec: { ...c.spec, environment } };
}

/** A desired state with every secret value removed (what may be shown or logged anywhere but the agent's wire). */
export function redacted(state: DesiredState): DesiredState {
  return agentCopy(state, () => '');
}
