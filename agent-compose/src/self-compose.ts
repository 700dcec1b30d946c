import path from 'node:path';
import { z } from 'zod';
import { summarizeIssues } from '@flotilla/protocol';

/** The agent's own service in the compose project the hub's install manifest creates. */
export const AGENT_SERVICE = 'flotilla-agent';

/**
 * The env variable in which the install manifest hands the agent its own compose document (JSON,
 * without this variable). The agent can then recreate itself exactly as it was installed, whatever
 * the manifest holds (user, volumes, labels…), with only the image changed.
 */
export const SELF_COMPOSE_ENV = 'FLOTILLA_AGENT_COMPOSE';

const AgentService = z.looseObject({
  image: z.string().min(1),
  environment: z.record(z.string(), z.string()).optional(),
});

export const SelfComposeDocument = z.looseObject({
  /** The compose project (the manifest is installed with `-p <name>`). */
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'a compose project name'),
  services: z.looseObject({ [AGENT_SERVICE]: AgentService }),
});
export type SelfComposeDocument = z.infer<typeof SelfComposeDocument>;

export class SelfComposeError extends Error {
  override name = 'SelfComposeError';
}

/** Parses a compose document of the agent (from the env variable or the file); throws a clear error. */
export function parseSelfCompose(text: string, source: string): SelfComposeDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new SelfComposeError(`${source} is not JSON: ${err instanceof Error ? err.message : String(err)}`);
  }
  const parsed = SelfComposeDocument.safeParse(json);
  if (!parsed.success) throw new SelfComposeError(`${source} is not the agent's compose document: ${summarizeIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** Where the agent keeps its own compose file (in the state directory, which the host shares at the same path). */
export function selfComposePath(stateDir: string): string {
  return path.join(stateDir, 'agent', 'compose.json');
}

/**
 * The agent's compose file: the document with its own description put back into the agent's
 * environment, so the container it creates can do the same again. JSON is valid compose YAML.
 */
export function selfComposeFile(doc: SelfComposeDocument): string {
  const plain = withoutSelf(doc);
  const service = plain.services[AGENT_SERVICE];
  const withSelf = {
    ...plain,
    services: { ...plain.services, [AGENT_SERVICE]: { ...service, environment: { ...service.environment, [SELF_COMPOSE_ENV]: JSON.stringify(plain) } } },
  };
  return `${JSON.stringify(withSelf, null, 2)}\n`;
}

/** The same document running another image (its embedded copy included). */
export function withImage(doc: SelfComposeDocument, image: string): SelfComposeDocument {
  const plain = withoutSelf(doc);
  return { ...plain, services: { ...plain.services, [AGENT_SERVICE]: { ...plain.services[AGENT_SERVICE], image } } };
}

function withoutSelf(doc: SelfComposeDocument): SelfComposeDocument {
  const service = doc.services[AGENT_SERVICE];
  if (service.environment === undefined) return doc;
  const { [SELF_COMPOSE_ENV]: _self, ...environment } = service.environment;
  return { ...doc, services: { ...doc.services, [AGENT_SERVICE]: { ...service, environment } } };
}

/** The Docker socket to hand the updater container: DOCKER_HOST's unix path, else the default. */
export function dockerSocketPath(env: Record<string, string | undefined>): string {
  const host = env.DOCKER_HOST;
  return host?.startsWith('unix://') ? host.slice('unix://'.length) : '/var/run/docker.sock';
}

/**
 * `docker run` of the one-shot updater: the new image, given the Docker socket and the state
 * directory (same path as on the host), runs `self-update-apply`, which rewrites the agent's compose
 * file to the new image and runs `up -d`, replacing the old agent container.
 */
export function updaterRunArgs(u: { image: string; project: string; stateDir: string; socket: string; suffix: string }): string[] {
  return [
    'run', '-d', '--rm',
    '--name', `${u.project}-updater-${u.suffix}`,
    '--label', 'dev.flotilla.role=agent-updater',
    '-v', `${u.socket}:/var/run/docker.sock`,
    '-v', `${u.stateDir}:${u.stateDir}`,
    '--entrypoint', 'flotilla-agent-compose',
    u.image,
    'self-update-apply', '--file', selfComposePath(u.stateDir), '--image', u.image,
  ];
}
