import type { AgentKind, InstallationLifecycle, RolloutPreview } from '@flotilla/protocol';
import { requiredPath, type TrackRelease } from '../domain/releases/required-steps.js';

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
  /** The release it runs (null: none, e.g. a fresh installation). */
  release_id: string | null;
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

/**
 * Pure: the required releases each eligible candidate runs before `target` (required-steps.ts), and
 * those it cannot take: going back below a required release it runs, past one on hold, or through
 * one its customer is not entitled to (`entitled`; every step counts when absent).
 * `blocking`: that required release, for the message.
 */
export function sortByRequiredPath<C extends Candidate, R extends TrackRelease>(
  eligible: readonly C[],
  trackReleases: readonly R[],
  target: { version: string },
  entitled: (candidate: C, step: R) => boolean = () => true,
): { eligible: { candidate: C; steps: R[] }[]; ineligible: { candidate: C; reason: IneligibleReason; blocking: R }[] } {
  const versionOf = new Map(trackReleases.map((r) => [r.id, r.version]));
  const out: { candidate: C; steps: R[] }[] = [];
  const ineligible: { candidate: C; reason: IneligibleReason; blocking: R }[] = [];
  for (const c of eligible) {
    const path = requiredPath(trackReleases, c.release_id ? (versionOf.get(c.release_id) ?? null) : null, target.version);
    if (path.kind === 'below') ineligible.push({ candidate: c, reason: 'below-required-release', blocking: path.floor });
    else if (path.kind === 'on-hold') ineligible.push({ candidate: c, reason: 'required-release-on-hold', blocking: path.onHold });
    else {
      const uncovered = path.steps.find((s) => !entitled(c, s));
      if (uncovered) ineligible.push({ candidate: c, reason: 'required-release-not-entitled', blocking: uncovered });
      else out.push({ candidate: c, steps: path.steps });
    }
  }
  return { eligible: out, ineligible };
}

/** The reason in plain words, for one installation (`blocking`: the required release behind the last two reasons). */
export function reasonMessage(reason: IneligibleReason, c: Pick<Candidate, 'agent_kind' | 'customer_name'>, release: { version: string }, blocking?: { version: string }): string {
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
    case 'below-required-release':
      return `it runs required release ${blocking?.version ?? '?'} or newer: it cannot go back to ${release.version}`;
    case 'required-release-on-hold':
      return `required release ${blocking?.version ?? '?'} comes first and is on hold`;
    case 'required-release-not-entitled':
      return `required release ${blocking?.version ?? '?'} comes first, and ${c.customer_name} is not entitled to it`;
  }
}
