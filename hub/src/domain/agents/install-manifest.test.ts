import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { AGENT_STATE_DIR, composeAgentManifest } from './install-manifest.js';

const input = {
  hubUrl: 'https://hub.example.com',
  agentId: 'agt_1',
  secret: 's3cr3t: "quoted"',
  image: 'flotilla/agent-compose:0.1.0',
  installationName: 'main',
  customerName: 'Acme',
  projectName: 'flotilla-agent-abc',
};

interface AgentService {
  image: string;
  user: string;
  network_mode: string;
  environment: Record<string, string>;
  volumes: string[];
}

describe('composeAgentManifest', () => {
  const doc = parse(composeAgentManifest(input)) as { name: string; services: Record<string, AgentService> };
  const agent = doc.services['flotilla-agent']!;

  it('runs the agent image with its credentials and the state directory at the same path as on the host', () => {
    expect(doc.name).toBe('flotilla-agent-abc');
    expect(agent.image).toBe(input.image);
    expect(agent.network_mode).toBe('host');
    expect(agent.environment).toEqual({
      FLOTILLA_HUB_URL: input.hubUrl,
      FLOTILLA_AGENT_ID: input.agentId,
      FLOTILLA_AGENT_SECRET: input.secret,
      FLOTILLA_STATE_DIR: AGENT_STATE_DIR,
      FLOTILLA_AGENT_COMPOSE: expect.any(String) as string,
    });
    expect(agent.volumes).toEqual(['/var/run/docker.sock:/var/run/docker.sock', `${AGENT_STATE_DIR}:${AGENT_STATE_DIR}`]);
  });

  it('starts the container as root, for the image entrypoint to join the socket group before it drops to uid 1000', () => {
    // docker/agent-entrypoint.sh only adjusts ownership and groups when started as root.
    expect(agent.user).toBe('0:0');
  });
});
