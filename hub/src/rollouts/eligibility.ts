import type { AgentKind, InstallationLifecycle, RolloutPreview } from '@flotilla/protocol';

export type IneligibleReason = RolloutPreview['ineligible'][number]['reason'];

/** An installation matched by a rollout's targets. */
export interface Candidate {
  id: string;
  name: string;
  customer_id: string;
  customer_name: string;
  track_id: string | null;
  agent_kind: AgentKind;
  lifecycle: InstallationLifecycle;
}

export interface EligibilityInput {
  /** The release's track. */
  trackId: string;
  /** The agent kinds the release has components for. */
  kinds: ReadonlySet<AgentKind>;
  /** Customers whose entitlement covers the release (version range, expiry). */
  entitledCustomers: ReadonlySet<string>;
  /** Customers whose license expired and blocks updates. */
  blockedCustomers: ReadonlySet<string>;
}

/**
 * Pure: which candidates a rollout of a release can take, and why each other one is left out, the
 * first reason that applies in this order: being uninstalled, not on a track, on another track, no
 * component for its agent's kind, its customer not entitled, its customer's license expired (blocking updates). Candidates keep their order.
 */
export function sortEligible<C extends Candidate>(candidates: readonly C[], input: EligibilityInput): { eligible: C[]; ineligible: { candidate: C; reason: IneligibleReason }[] } {
  const eligible: C[] = [];
  const ineligible: { candidate: C; reason: IneligibleReason }[] = [];
  for (const c of candidates) {
    const reason = reasonLeftOut(c, input);
    if (reason === null) eligible.push(c);
    else ineligible.push({ candidate: c, reason });
  }
  return { eligible, ineligible };
}

function reasonLeftOut(c: Candidate, input: EligibilityInput): IneligibleReason | null {
  if (c.lifecycle === 'uninstalling') return 'uninstalling';
  if (c.track_id === null) return 'no-track';
  if (c.track_id !== input.trackId) return 'other-track';
  if (!input.kinds.has(c.agent_kind)) return 'wrong-agent-kind';
  if (!input.entitledCustomers.has(c.customer_id)) return 'not-entitled';
  if (input.blockedCustomers.has(c.customer_id)) return 'license-expired';
  return null;
}

/** The reason in plain words, for one installation. */
export function reasonMessage(reason: IneligibleReason, c: Pick<Candidate, 'agent_kind' | 'customer_name'>, release: { version: string }): string {
  switch (reason) {
    case 'uninstalling':
      return 'being uninstalled';
    case 'no-track':
      return 'not on a release track';
    case 'other-track':
      return "on another track than this release's";
    case 'wrong-agent-kind':
      return `release ${release.version} has no component for its ${c.agent_kind} agent`;
    case 'not-entitled':
      return `${c.customer_name} is not entitled to release ${release.version}`;
    case 'license-expired':
      return `${c.customer_name}'s license expired and blocks updates`;
  }
}
