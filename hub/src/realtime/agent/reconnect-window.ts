/**
 * The window a hub shutting down gives its agents to reconnect in (`hub:restarting`): wide enough
 * that they arrive at about what one hub process takes in (≈ 700 handshakes/s here), at least 1 s,
 * at most 30 s.
 */
export function reconnectWindowMs(agentCount: number): number {
  return Math.round(Math.min(30_000, Math.max(1000, agentCount * 1.5)));
}
