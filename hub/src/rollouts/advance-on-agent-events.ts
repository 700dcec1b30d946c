import type { AgentSessionService } from '../domain/agents/agent-session-service.js';
import type { RolloutEngine } from './engine.js';
import type { RolloutRepository } from './rollout-repository.js';

/** How long agent events gather before they advance a rollout (a step later by this much, at most). */
export const AGENT_EVENT_DEBOUNCE_MS = 200;

/**
 * Any agent event may move a rollout (a stage became healthy, an agent came back or went away):
 * the rollouts in which those installations take part are advanced shortly, so that the events of
 * many agents share one advance. This is how "an agent reports" leads to "the next wave starts".
 */
export function advanceRolloutsOnAgentEvents(
  agentSessions: Pick<AgentSessionService, 'onInstallationChanged'>,
  rollouts: Pick<RolloutRepository, 'activeForMany'>,
  engine: Pick<RolloutEngine, 'trigger'>,
): void {
  agentSessions.onInstallationChanged(async (installationIds) => {
    const rolloutIds = await rollouts.activeForMany(installationIds);
    await Promise.all(rolloutIds.map((id) => engine.trigger(id, AGENT_EVENT_DEBOUNCE_MS)));
  });
}
