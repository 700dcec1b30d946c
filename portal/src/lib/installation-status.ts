import type { AgentCredentials, Health, Installation, InstallationStatus } from '@flotilla/protocol';
import { formatRelativeTime } from './format';

/** What an installation's status says to a person, as pure functions of the status (and the time). */

/** The health to show: the last report means nothing while the agent is offline. */
export function shownHealth(status: Pick<InstallationStatus, 'online' | 'health'>): Health {
  return status.online ? status.health : 'unknown';
}

/** `online now`, `last seen 5 min ago`, `never connected`. */
export function lastSeenText(status: Pick<InstallationStatus, 'online' | 'lastSeenAt'>, now: number): string {
  if (status.online) return 'online now';
  if (!status.lastSeenAt) return 'never connected';
  return `last seen ${formatRelativeTime(status.lastSeenAt, now)}`;
}

export type VersionDrift = InstallationStatus['versionDrift'][number];

/** `web runs 1.0, desired 1.1`; a component not running yet `runs nothing`; one no longer desired `desired: removed`. */
export function versionDriftText(d: VersionDrift): string {
  return `${d.component} runs ${d.running ?? 'nothing'}, ${d.desired === null ? 'desired: removed' : `desired ${d.desired}`}`;
}

/** Drift is what the hub says differs, per component; nothing else counts (no release/component comparison). */
export function hasVersionDrift(status: Pick<InstallationStatus, 'versionDrift'>): boolean {
  return status.versionDrift.length > 0;
}

/** `expires in 24 hours`, `expires in 1 hour`, `expires in 40 minutes`, `expired`. */
export function expiryText(expiresAt: string, now: number): string {
  const ms = Date.parse(expiresAt) - now;
  if (Number.isNaN(ms)) return '';
  if (ms <= 0) return 'expired';
  const minutes = Math.round(ms / 60_000);
  if (minutes < 60) return minutes <= 1 ? 'expires in 1 minute' : `expires in ${minutes} minutes`;
  const hours = Math.round(minutes / 60);
  return hours === 1 ? 'expires in 1 hour' : `expires in ${hours} hours`;
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * When the hub guessed its URL (`PUBLIC_URL` unset) and the portal is opened through another host,
 * agents elsewhere would be told to reach an address that only works here: the warning to show.
 */
export function hubUrlWarning(credentials: Pick<AgentCredentials, 'hubUrl' | 'hubUrlConfigured'>, pageHostname: string): string | null {
  if (credentials.hubUrlConfigured || LOCAL_HOSTS.has(pageHostname)) return null;
  return `Agents would be told to reach ${credentials.hubUrl}, which the hub guessed. Set PUBLIC_URL on the hub to the address agents can reach, then regenerate the credentials.`;
}

export type AgentConnection =
  | { state: 'none' }
  | { state: 'waiting' }
  | { state: 'connected'; text: string }
  | { state: 'offline'; text: string };

/** `Connected: edge-7, agent 1.4.0` (parts the hub does not know yet are left out). */
export function connectedText(status: Pick<InstallationStatus, 'host' | 'agentVersion'>): string {
  const parts = [status.host?.hostname, status.agentVersion ? `agent ${status.agentVersion}` : null].filter((p): p is string => Boolean(p));
  return parts.length > 0 ? `Connected: ${parts.join(', ')}` : 'Connected';
}

/**
 * The agent panel's state. `awaitingNewAgent`: credentials were issued on this page and their agent
 * has not come online yet (see `cameOnline`): the panel waits, whatever the row says of the old agent.
 */
export function agentConnection(installation: Pick<Installation, 'agentId' | 'status'>, awaitingNewAgent: boolean, now: number): AgentConnection {
  const { status } = installation;
  if (awaitingNewAgent) return { state: 'waiting' };
  if (installation.agentId === null) return { state: 'none' };
  if (status.online) return { state: 'connected', text: connectedText(status) };
  if (!status.lastSeenAt) return { state: 'waiting' };
  return { state: 'offline', text: `Offline, ${lastSeenText(status, now)}` };
}

type Presence = { online: boolean; agentId: string | null };

/**
 * Whether the agent of credentials `issuedAgentId` came online between two states of the row: an
 * offline-to-online turn by that agent (a row that names the new agent while still flagged online
 * from the old one does not count).
 */
export function cameOnline(before: Presence, after: Presence, issuedAgentId: string): boolean {
  return !before.online && after.online && after.agentId === issuedAgentId;
}

export interface DeployProgress {
  state: 'deploying' | 'waiting' | 'applied' | 'superseded';
  text: string;
}

/** A deploy made on the page, followed through the live status until the agent applied its revision. */
export function deployProgress(deployed: { revision: number; label: string }, status: Pick<InstallationStatus, 'desiredRevision' | 'appliedRevision' | 'online' | 'health'>): DeployProgress {
  const { revision, label } = deployed;
  if (status.desiredRevision > revision) return { state: 'superseded', text: `Deployed ${label} (revision ${revision}); revision ${status.desiredRevision} followed.` };
  if (status.appliedRevision >= revision) return { state: 'applied', text: `Revision ${revision} (${label}) applied${status.online ? `, ${status.health}` : ''}.` };
  if (!status.online) return { state: 'waiting', text: `Revision ${revision} (${label}) waits for the agent to connect.` };
  return { state: 'deploying', text: `Deploying ${label} (revision ${revision}): the agent is at revision ${status.appliedRevision}…` };
}
