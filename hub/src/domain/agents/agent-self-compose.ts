/** The env variable through which the compose agent receives its own compose document. */
export const SELF_COMPOSE_ENV = 'FLOTILLA_AGENT_COMPOSE';

export interface AgentComposeDocument {
  name: string;
  services: { 'flotilla-agent': { environment: Record<string, string> } };
}

/**
 * Hands the agent its own compose document (JSON, without this variable) in its environment, so it
 * can recreate itself exactly as installed when it self-updates, with only the image changed (see
 * agent-compose's self-compose.ts). The install command pipes the manifest to compose, so no copy of
 * it exists on the host otherwise.
 */
export function withSelfDescription<D extends AgentComposeDocument>(doc: D): D {
  const service = doc.services['flotilla-agent'];
  const environment = { ...service.environment, [SELF_COMPOSE_ENV]: JSON.stringify(doc) };
  return { ...doc, services: { ...doc.services, 'flotilla-agent': { ...service, environment } } };
}
