import { stringify } from 'yaml';
import { withSelfDescription } from './agent-self-compose.js';

export interface ComposeManifestInput {
  hubUrl: string;
  agentId: string;
  secret: string;
  image: string;
  installationName: string;
  customerName: string;
  projectName: string;
}

/** Where the agent keeps its state, bind-mounted at the same path so compose paths mean the same on the host. */
export const AGENT_STATE_DIR = '/var/lib/flotilla-agent';

/**
 * The agent's own compose file: the agent container with the Docker socket mounted and its
 * credentials in env. Pure; the YAML library does the quoting.
 */
export function composeAgentManifest(m: ComposeManifestInput): string {
  const doc = {
    name: m.projectName,
    services: {
      'flotilla-agent': {
        image: m.image,
        // The image's entrypoint starts as root only to take over the bind-mounted state directory and
        // join the Docker socket's group (its gid differs per host), then runs the agent as uid 1000.
        user: '0:0',
        restart: 'unless-stopped',
        network_mode: 'host',
        environment: {
          FLOTILLA_HUB_URL: m.hubUrl,
          FLOTILLA_AGENT_ID: m.agentId,
          FLOTILLA_AGENT_SECRET: m.secret,
          FLOTILLA_STATE_DIR: AGENT_STATE_DIR,
        },
        volumes: ['/var/run/docker.sock:/var/run/docker.sock', `${AGENT_STATE_DIR}:${AGENT_STATE_DIR}`],
        labels: { 'dev.flotilla.role': 'agent' },
      },
    },
  };
  return `# Flotilla agent for "${m.installationName}" (${m.customerName}).\n# Contains this agent's secret: keep it private.\n${stringify(withSelfDescription(doc))}`;
}

export function composeInstallCommand(installUrl: string, projectName: string): string {
  return `curl -fsSL '${installUrl}' | docker compose -p ${projectName} -f - up -d`;
}
