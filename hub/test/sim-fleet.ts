import type { DesiredState } from '@flotilla/protocol';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

export interface SimAgent {
  installationId: string;
  socket: AgentSocket;
  applied: number;
  /** Components that fail when applied (the previous revision stays applied). */
  failing: Set<string>;
  received: DesiredState[];
}

/**
 * A simulated agent that converges like the real one: on each desired state it waits `delayMs`,
 * then reports the new revision applied and every component healthy (or a named component failed,
 * keeping the previous revision).
 */
export async function simAgent(hubUrl: string, installationId: string, agentId: string, secret: string, delayMs = 30): Promise<SimAgent> {
  const socket = await connectAgent(hubUrl, agentId, secret);
  const agent: SimAgent = { installationId, socket, applied: 0, failing: new Set(), received: [] };
  const converge = (d: DesiredState | null) => {
    if (!d || d.revision <= agent.applied) return;
    agent.received.push(d);
    setTimeout(() => {
      const since = new Date().toISOString();
      const failed = d.components.find((c) => agent.failing.has(c.name));
      if (failed) {
        void socket.emitWithAck('status:report', { revision: agent.applied, components: d.components.map((c) => ({ name: c.name, version: c.version, health: c.name === failed.name ? 'failed' : 'healthy', message: c.name === failed.name ? 'simulated failure' : undefined, since })) });
        return;
      }
      agent.applied = Math.max(agent.applied, d.revision);
      void socket.emitWithAck('status:report', { revision: agent.applied, components: d.components.map((c) => ({ name: c.name, version: c.version, health: 'healthy', since })) });
    }, delayMs);
  };
  socket.on('state:desired', converge);
  const ack = (await socket.emitWithAck('agent:hello', { host, appliedRevision: 0, components: [] })) as { desired: DesiredState | null };
  converge(ack.desired);
  return agent;
}
