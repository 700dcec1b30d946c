import { describe, expect, it } from 'vitest';
import { DEFAULT_NOTIFICATION_PREFERENCES, type EventType } from '@flotilla/protocol';
import type { MappedEvent } from '../webhooks/event-mapping.js';
import { availableEvents, notificationOf, queueItems, type Names, type Recipient } from './audience.js';

const at = '2026-12-07T10:00:00.000Z';
const event = (type: EventType, data: Record<string, string | null> = {}, customerId: string | null = 'c1'): MappedEvent => ({
  messageId: 'm',
  vendorId: 'v1',
  customerId,
  type,
  payload: { type, timestamp: at, data: { vendorId: 'v1', customerId, ...data } },
});
const names: Names = { installation: (id) => `inst-${id ?? '?'}`, release: (id) => `rel-${id ?? '?'}`, customersFollowing: (id) => (id === 'r1' ? ['c1', 'c2'] : []) };
const prefs = (p: Partial<Recipient['prefs']> = {}) => ({ ...DEFAULT_NOTIFICATION_PREFERENCES, ...p });
const vendorUser = (userId: string, p = prefs()): Recipient => ({ userId, vendorId: 'v1', customerId: null, prefs: p });
const customerUser = (userId: string, customerId: string, p = prefs()): Recipient => ({ userId, vendorId: 'v1', customerId, prefs: p });

describe('who hears of what', () => {
  it('tells vendor users of the fleet and customer users of their own installations only', () => {
    const recipients = [vendorUser('vu'), customerUser('c1u', 'c1'), customerUser('c2u', 'c2'), { ...vendorUser('other'), vendorId: 'v2' }];
    const of = (e: MappedEvent) => queueItems([notificationOf(e, names)].flatMap((n) => (n ? [n] : [])), recipients).map((i) => i.userId);
    expect(of(event('rollout.failed', { releaseId: 'r9', message: 'stage 1 failed' }))).toEqual(['vu']);
    expect(of(event('alert.firing', { installationId: 'i1', message: 'Offline firing' }))).toEqual(['vu']);
    expect(of(event('approval.requested', { installationId: 'i1', releaseId: 'r9' }))).toEqual(['c1u']);
    expect(of(event('maintenance.scheduled', { installationId: 'i1', releaseId: 'r9' }, 'c2'))).toEqual(['c2u']);
    expect(of(event('release.locked', { releaseId: 'r1' }, null))).toEqual(['c1u', 'c2u']);
    expect(of(event('release.locked', { releaseId: 'r-nobody' }, null))).toEqual([]);
    expect(of(event('installation.online', { installationId: 'i1' }))).toEqual([]);
  });

  it('honours preferences: master switch, events, and "offline for N minutes" due N minutes later', () => {
    const offline = notificationOf(event('installation.offline', { installationId: 'i1' }), names);
    if (!offline) throw new Error('no notification');
    expect(offline.line).toBe('inst-i1 offline since 2026-12-07 10:00 UTC');
    const items = queueItems([offline], [vendorUser('default'), vendorUser('on', prefs({ events: ['installation.offline'], offlineMinutes: 30 })), vendorUser('off', prefs({ email: false, events: ['installation.offline'] }))]);
    expect(items.map((i) => [i.userId, i.dueAt.toISOString()])).toEqual([['on', '2026-12-07T10:30:00.000Z']]);
  });

  it('queues once per user with two memberships, and offers each kind its own events', () => {
    const n = notificationOf(event('approval.requested', { installationId: 'i1', releaseId: 'r9' }), names);
    if (!n) throw new Error('no notification');
    expect(queueItems([n], [customerUser('u', 'c1'), vendorUser('u'), customerUser('u', 'c1')])).toHaveLength(1);
    expect(availableEvents([{ customerId: null }])).toEqual(['rollout.paused', 'rollout.failed', 'approval.given', 'installation.offline', 'alert.firing', 'alert.resolved']);
    expect(availableEvents([{ customerId: 'c1' }])).toEqual(['update.available', 'approval.requested', 'maintenance.scheduled']);
    expect(availableEvents([])).toEqual([]);
  });
});
