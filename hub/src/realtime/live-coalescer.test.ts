import { describe, expect, it } from 'vitest';
import type { InstallationStatus } from '@flotilla/protocol';
import { LiveCoalescer } from './notifier.js';

const status = (installationId: string, health: InstallationStatus['health']): InstallationStatus => ({
  installationId,
  online: true,
  desiredRevision: 1,
  appliedRevision: 1,
  health,
  components: [],
  desiredVersion: null,
  runningVersion: null,
  lastSeenAt: null,
  updatedAt: '2026-11-23T20:00:00.000Z',
  agentVersion: null,
  agentUpdate: null,
  versionDrift: [],
  host: null,
});

describe('LiveCoalescer', () => {
  it('hands over one batch per customer after the burst, newest status per installation', async () => {
    const flushed: { customer: string; ids: string[]; healths: string[] }[] = [];
    const c = new LiveCoalescer<InstallationStatus>((s) => s.installationId, (scope, batch) => flushed.push({ customer: scope.customerId, ids: batch.map((s) => s.installationId), healths: batch.map((s) => s.health) }));
    const a = { vendorId: 'v', customerId: 'a' };
    const b = { vendorId: 'v', customerId: 'b' };
    c.add(a, status('i1', 'progressing'));
    c.add(b, status('i2', 'healthy'));
    c.add(a, status('i3', 'healthy'));
    c.add(a, status('i1', 'healthy'));
    expect(flushed).toEqual([]); // nothing before the burst is over
    await new Promise((r) => setImmediate(r));
    expect(flushed).toEqual([
      { customer: 'a', ids: ['i1', 'i3'], healths: ['healthy', 'healthy'] },
      { customer: 'b', ids: ['i2'], healths: ['healthy'] },
    ]);
    c.add(b, status('i2', 'failed'));
    await new Promise((r) => setImmediate(r));
    expect(flushed.at(-1)).toEqual({ customer: 'b', ids: ['i2'], healths: ['failed'] });
  });

  it('hands over what is pending at once when flushed, and nothing twice', async () => {
    const flushed: string[][] = [];
    const c = new LiveCoalescer<InstallationStatus>((s) => s.installationId, (_scope, batch) => flushed.push(batch.map((s) => s.installationId)));
    c.add({ vendorId: 'v', customerId: 'a' }, status('i1', 'healthy'));
    c.flush();
    expect(flushed).toEqual([['i1']]);
    await new Promise((r) => setImmediate(r));
    expect(flushed).toEqual([['i1']]);
    c.add({ vendorId: 'v', customerId: 'a' }, status('i2', 'healthy'));
    await new Promise((r) => setImmediate(r));
    expect(flushed).toEqual([['i1'], ['i2']]);
  });
});
