import semver from 'semver';
import type { AgentKind, AgentUpdateOffer } from '@flotilla/protocol';

/** The agent images this hub ships (AGENT_COMPOSE_IMAGE / AGENT_HELM_IMAGE). */
export interface ShippedAgentImages {
  compose: string;
  helm: string;
}

/**
 * The version an image carries: its tag (`registry:5000/flotilla/agent-compose:1.4.0` → `1.4.0`).
 * An image without a tag (or pinned by digest only) has no version.
 */
export function imageVersion(image: string): string | null {
  const withoutDigest = image.split('@')[0] ?? '';
  const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon < 0 || colon === lastSegment.length - 1 ? null : lastSegment.slice(colon + 1);
}

/** The image and version the hub ships for an agent kind. */
export function shippedAgent(kind: AgentKind, shipped: ShippedAgentImages): { image: string; version: string | null } {
  const image = kind === 'helm' ? shipped.helm : shipped.compose;
  return { image, version: imageVersion(image) };
}

/**
 * The update offered to an installation: the shipped agent, when both versions are semver and the
 * shipped one is greater than the running one. An agent that never connected is offered nothing.
 */
export function agentUpdateOffer(kind: AgentKind, runningVersion: string | null, shipped: ShippedAgentImages): AgentUpdateOffer | null {
  const offer = shippedAgent(kind, shipped);
  if (runningVersion === null || offer.version === null) return null;
  const running = semver.valid(runningVersion);
  const available = semver.valid(offer.version);
  if (running === null || available === null || !semver.gt(available, running)) return null;
  return { version: offer.version, image: offer.image };
}
