import { describe, expect, it } from 'vitest';
import { mapSourceRow } from './event-mapping.js';
import { fanOut } from './webhook-delivery.js';
import type { EndpointRow } from './webhook-repository.js';

const at = new Date('2026-12-06T10:00:00Z');
const inst = (type: string, extra: Partial<{ health: string; message: string; data: Record<string, unknown> }> = {}) =>
  mapSourceRow({ source: 'installation_events', id: '7', at, vendorId: 'v', customerId: 'c', installationId: 'i', type, health: extra.health ?? null, message: extra.message ?? null, data: extra.data ?? null });
const roll = (type: string, message: string | null = null) =>
  mapSourceRow({ source: 'rollout_events', id: '9', at, vendorId: 'v', customerId: 'c', rolloutId: 'r', releaseId: 'rel', installationId: 'i', type, message });

describe('domain happenings → outbound events', () => {
  it('maps installation events', () => {
    expect(inst('connected')?.type).toBe('installation.online');
    expect(inst('disconnected')?.type).toBe('installation.offline');
    expect(inst('health', { health: 'failed' })).toMatchObject({ type: 'installation.health_changed', customerId: 'c', payload: { data: { health: 'failed', installationId: 'i' } } });
    expect(inst('drift', { data: { component: 'web', drifted: true } })?.type).toBe('installation.drifted');
    expect(inst('deployed')).toBeUndefined();
  });

  it('a command is finished once it left pending, delivered and running', () => {
    expect(inst('command', { data: { commandId: 'x', status: 'pending' } })).toBeUndefined();
    expect(inst('command', { data: { commandId: 'x', status: 'succeeded', type: 'restart' } })).toMatchObject({ type: 'command.finished', payload: { data: { commandId: 'x', status: 'succeeded' } } });
  });

  it('maps rollout events and approvals', () => {
    expect(roll('started')?.type).toBe('rollout.started');
    expect(roll('rolled_back')?.type).toBe('rollout.rolled_back');
    expect(roll('waiting', 'approval')?.type).toBe('approval.requested');
    expect(roll('waiting', 'window')?.type).toBe('maintenance.scheduled');
    expect(roll('waiting', 'agent')).toBeUndefined();
    expect(roll('approved')?.type).toBe('approval.given');
    expect(roll('stage-sent')).toBeUndefined();
  });

  it('maps release audit entries; the message id names the source row', () => {
    const e = mapSourceRow({ source: 'audit_log', id: '3', at, vendorId: 'v', action: 'release.rescind', targetId: 'rel' });
    expect(e).toMatchObject({ messageId: 'msg_al3', type: 'release.rescinded', customerId: null, payload: { timestamp: at.toISOString(), data: { releaseId: 'rel' } } });
    expect(mapSourceRow({ source: 'audit_log', id: '4', at, vendorId: 'v', action: 'release.update', targetId: 'rel' })).toBeUndefined();
  });
});

describe('fan-out', () => {
  const endpoint = (id: string, vendorId: string, customerId: string | null, events: string[] = []) => ({ id, vendor_id: vendorId, customer_id: customerId, events }) as EndpointRow;
  it('vendor endpoints get all their vendor’s events, customer endpoints only their own, filters apply', () => {
    const online = inst('connected');
    const locked = mapSourceRow({ source: 'audit_log', id: '3', at, vendorId: 'v', action: 'release.lock', targetId: 'rel' });
    const endpoints = [endpoint('all', 'v', null), endpoint('offline-only', 'v', null, ['installation.offline']), endpoint('cust', 'v', 'c'), endpoint('other-cust', 'v', 'd'), endpoint('other-vendor', 'w', null)];
    const out = fanOut([online!, locked!], endpoints).map((d) => `${d.endpointId}:${d.eventType}`);
    expect(out).toEqual(['all:installation.online', 'cust:installation.online', 'all:release.locked']);
  });
});
