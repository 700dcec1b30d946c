import { describe, expect, it } from 'vitest';
import { agentConnection, cameOnline, connectedText, deployProgress, expiryText, hasVersionDrift, hubUrlWarning, lastSeenText, shownHealth, versionDriftText } from './installation-status';
import { T0, installation, status } from '../testing/fixtures';

const NOW = Date.parse(T0);
const host = { hostname: 'edge-7', os: 'linux', arch: 'x64' };

describe('shownHealth', () => {
  it('is the reported health while online, unknown while offline', () => {
    expect(shownHealth({ online: true, health: 'degraded' })).toBe('degraded');
    expect(shownHealth({ online: false, health: 'healthy' })).toBe('unknown');
  });
});

describe('lastSeenText', () => {
  it('says online now, last seen …, or never connected', () => {
    expect(lastSeenText({ online: true, lastSeenAt: '2024-01-01T00:00:00Z' }, NOW)).toBe('online now');
    expect(lastSeenText({ online: false, lastSeenAt: new Date(NOW - 5 * 60_000).toISOString() }, NOW)).toBe('last seen 5 min ago');
    expect(lastSeenText({ online: false, lastSeenAt: null }, NOW)).toBe('never connected');
  });
});

describe('version drift', () => {
  it('names the component, what runs and what is desired', () => {
    expect(versionDriftText({ component: 'web', running: '1.0', desired: '1.1' })).toBe('web runs 1.0, desired 1.1');
    expect(versionDriftText({ component: 'db', running: null, desired: '2.0' })).toBe('db runs nothing, desired 2.0');
    expect(versionDriftText({ component: 'old', running: '0.9', desired: null })).toBe('old runs 0.9, desired: removed');
  });
  it('exists only when the hub lists a component (a release version differing from component versions is not drift)', () => {
    expect(hasVersionDrift(status('a', { desiredVersion: '1.1.0', runningVersion: '1.1.0', versionDrift: [] }))).toBe(false);
    expect(hasVersionDrift(status('a', { versionDrift: [{ component: 'web', running: '1.0', desired: '1.1' }] }))).toBe(true);
  });
});

describe('expiryText', () => {
  it('rounds to hours, then minutes, and says when it expired', () => {
    expect(expiryText(new Date(NOW + 24 * 3600_000 - 2_000).toISOString(), NOW)).toBe('expires in 24 hours');
    expect(expiryText(new Date(NOW + 3600_000).toISOString(), NOW)).toBe('expires in 1 hour');
    expect(expiryText(new Date(NOW + 40 * 60_000).toISOString(), NOW)).toBe('expires in 40 minutes');
    expect(expiryText(new Date(NOW + 20_000).toISOString(), NOW)).toBe('expires in 1 minute');
    expect(expiryText(new Date(NOW - 1).toISOString(), NOW)).toBe('expired');
  });
});

describe('hubUrlWarning', () => {
  const guessed = { hubUrl: 'http://localhost:8080', hubUrlConfigured: false };
  it('warns only when the URL is a guess and the page is opened through another host', () => {
    expect(hubUrlWarning(guessed, 'hub.example.com')).toContain('http://localhost:8080');
    expect(hubUrlWarning(guessed, 'hub.example.com')).toContain('PUBLIC_URL');
    expect(hubUrlWarning(guessed, 'localhost')).toBeNull();
    expect(hubUrlWarning(guessed, '127.0.0.1')).toBeNull();
    expect(hubUrlWarning({ ...guessed, hubUrlConfigured: true }, 'hub.example.com')).toBeNull();
  });
});

describe('agentConnection', () => {
  const online = status('a', { online: true, lastSeenAt: T0, host, agentVersion: '1.4.0' });
  it('names the host and agent version once connected', () => {
    expect(connectedText(online)).toBe('Connected: edge-7, agent 1.4.0');
    expect(connectedText(status('a', { agentVersion: '1.4.0' }))).toBe('Connected: agent 1.4.0');
    expect(agentConnection(installation('a', { agentId: 'agt1', status: online }), false, NOW)).toEqual({ state: 'connected', text: 'Connected: edge-7, agent 1.4.0' });
  });
  it('waits for the agent of newly issued credentials, even while the row still shows the old one online', () => {
    expect(agentConnection(installation('a', { agentId: 'new', status: online }), true, NOW)).toEqual({ state: 'waiting' });
  });
  it('has nothing without credentials, waits when issued but never seen, else says when it was last seen', () => {
    expect(agentConnection(installation('a'), false, NOW)).toEqual({ state: 'none' });
    expect(agentConnection(installation('a', { agentId: 'x' }), false, NOW)).toEqual({ state: 'waiting' });
    const gone = installation('a', { agentId: 'x', status: { online: false, lastSeenAt: new Date(NOW - 5 * 60_000).toISOString() } });
    expect(agentConnection(gone, false, NOW)).toEqual({ state: 'offline', text: 'Offline, last seen 5 min ago' });
  });
});

describe('cameOnline', () => {
  it('is an offline-to-online turn of the issued agent only', () => {
    expect(cameOnline({ online: false, agentId: 'new' }, { online: true, agentId: 'new' }, 'new')).toBe(true);
    expect(cameOnline({ online: false, agentId: 'old' }, { online: true, agentId: 'new' }, 'new')).toBe(true);
    // The row names the new agent but is still flagged online from the old one: not it.
    expect(cameOnline({ online: true, agentId: 'old' }, { online: true, agentId: 'new' }, 'new')).toBe(false);
    expect(cameOnline({ online: false, agentId: 'old' }, { online: true, agentId: 'old' }, 'new')).toBe(false);
  });
});

describe('deployProgress', () => {
  const d = { revision: 3, label: 'release 1.1.0' };
  it('follows the revision until the agent applied it', () => {
    expect(deployProgress(d, { desiredRevision: 3, appliedRevision: 2, online: true, health: 'progressing' })).toEqual({
      state: 'deploying',
      text: 'Deploying release 1.1.0 (revision 3): the agent is at revision 2…',
    });
    expect(deployProgress(d, { desiredRevision: 3, appliedRevision: 2, online: false, health: 'unknown' }).state).toBe('waiting');
    expect(deployProgress(d, { desiredRevision: 3, appliedRevision: 3, online: true, health: 'healthy' })).toEqual({ state: 'applied', text: 'Revision 3 (release 1.1.0) applied, healthy.' });
    expect(deployProgress(d, { desiredRevision: 4, appliedRevision: 3, online: true, health: 'healthy' }).state).toBe('superseded');
  });
});
