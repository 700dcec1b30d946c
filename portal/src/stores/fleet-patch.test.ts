import { describe, expect, it } from 'vitest';
import { applyFleetEvent, indexById, isBefore, mergePresence, mergeStatus, sortInstallations } from './fleet-patch';
import { T0, T1, T2, installation, presence, status } from '../testing/fixtures';

describe('isBefore', () => {
  it('compares ISO instants, not strings', () => {
    expect(isBefore('2025-01-01T10:00:00+01:00', '2025-01-01T09:30:00Z')).toBe(true);
    expect(isBefore(T1, T0)).toBe(false);
    expect(isBefore(T0, T0)).toBe(false);
  });
  it('never calls a missing or unparseable time older', () => {
    expect(isBefore(null, T0)).toBe(false);
    expect(isBefore(T0, null)).toBe(false);
    expect(isBefore('x', T0)).toBe(false);
  });
});

describe('mergeStatus', () => {
  it('replaces the status with the event', () => {
    const row = installation('a', { uptime24h: 99 });
    const next = mergeStatus(row, status('a', { health: 'healthy', online: true, runningVersion: '1.2.0', updatedAt: T1 }));
    expect(next).not.toBe(row);
    expect(next.status).toMatchObject({ health: 'healthy', online: true, runningVersion: '1.2.0', updatedAt: T1 });
    expect(next.uptime24h).toBe(99);
    expect(row.status.health).toBe('unknown');
  });

  it('applies an event with the same updatedAt', () => {
    const row = installation('a', { status: { updatedAt: T1 } });
    expect(mergeStatus(row, status('a', { health: 'failed', updatedAt: T1 })).status.health).toBe('failed');
  });

  it('ignores an event older than the row', () => {
    const row = installation('a', { status: { health: 'healthy', updatedAt: T2 } });
    expect(mergeStatus(row, status('a', { health: 'failed', updatedAt: T1 }))).toBe(row);
  });

  it('ignores an event for another installation', () => {
    const row = installation('a');
    expect(mergeStatus(row, status('b', { updatedAt: T2 }))).toBe(row);
  });
});

describe('mergePresence', () => {
  it('sets online and last seen', () => {
    const next = mergePresence(installation('a'), presence('a', true, T1));
    expect(next.status).toMatchObject({ online: true, lastSeenAt: T1 });
    const off = mergePresence(next, presence('a', false, T2));
    expect(off.status).toMatchObject({ online: false, lastSeenAt: T2 });
  });

  it('takes the id of an agent coming online (new credentials), never of one going offline', () => {
    const row = installation('a', { agentId: 'old' });
    expect(mergePresence(row, presence('a', true, T1)).agentId).toBe('agent-a');
    expect(mergePresence(row, { ...presence('a', false, T1), agentId: 'older' }).agentId).toBe('old');
  });

  it('keeps a later last-seen time', () => {
    const row = installation('a', { status: { online: true, lastSeenAt: T2 } });
    const next = mergePresence(row, presence('a', false, T1));
    expect(next.status).toMatchObject({ online: false, lastSeenAt: T2 });
  });

  it('returns the same row when nothing changes', () => {
    const row = installation('a', { agentId: 'agent-a', status: { online: true, lastSeenAt: T1 } });
    expect(mergePresence(row, presence('a', true, T1))).toBe(row);
    expect(mergePresence(row, presence('b', false, T2))).toBe(row);
  });
});

describe('sortInstallations', () => {
  it('orders by customer, name, environment', () => {
    const items = [
      installation('1', { customerName: 'Zeta', name: 'main' }),
      installation('2', { customerName: 'Acme', name: 'main', environment: 'staging' }),
      installation('3', { customerName: 'Acme', name: 'main', environment: 'production' }),
      installation('4', { customerName: 'Acme', name: 'eu' }),
    ];
    expect(sortInstallations(items).map((i) => i.id)).toEqual(['4', '3', '2', '1']);
    expect(items.map((i) => i.id)).toEqual(['1', '2', '3', '4']);
  });
});

describe('applyFleetEvent', () => {
  it('patches the row in place and reports unknown installations', () => {
    const items = [installation('a'), installation('b')];
    const index = indexById(items);
    expect(applyFleetEvent(items, index, { type: 'status', payload: status('b', { health: 'degraded', updatedAt: T1 }) })).toBe(true);
    expect(items[1]?.status.health).toBe('degraded');
    expect(applyFleetEvent(items, index, { type: 'presence', payload: presence('a', true, T1) })).toBe(true);
    expect(items[0]?.status.online).toBe(true);
    expect(applyFleetEvent(items, index, { type: 'status', payload: status('zzz') })).toBe(false);
  });
});
