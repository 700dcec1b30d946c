import { describe, expect, it } from 'vitest';
import type { InstallationCommand, Membership } from '@flotilla/protocol';
import { allowedCommands, describeCommand, driftText, patchCommands } from './commands';

const m = (role: string, customerId: string | null = null): Membership => ({ vendorId: 'v', vendorName: 'V', customerId, customerName: customerId ? 'C' : null, role });
const cmd = (id: string, patch: Partial<InstallationCommand> = {}): InstallationCommand => ({
  id,
  installationId: 'i',
  customerId: 'c',
  type: 'restart',
  status: 'pending',
  message: null,
  targets: null,
  image: null,
  agentVersion: null,
  createdBy: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  finishedAt: null,
  ...patch,
});

describe('allowedCommands', () => {
  it('mirrors the hub: vendor release managers and admins send all, customer admins workload commands, viewers none', () => {
    expect([...allowedCommands([m('admin')])].sort()).toEqual(['collect-logs', 'redeploy', 'restart', 'rollback', 'self-update']);
    expect(allowedCommands([m('release-manager')]).has('self-update')).toBe(true);
    expect([...allowedCommands([m('admin', 'c1')])].sort()).toEqual(['collect-logs', 'redeploy', 'restart']);
    expect(allowedCommands([m('viewer')]).size).toBe(0);
    expect(allowedCommands([m('viewer', 'c1')]).size).toBe(0);
    expect(allowedCommands([]).size).toBe(0);
  });
});

describe('texts', () => {
  it('describes drift and commands', () => {
    expect(driftText({ appliedRevision: 5, actualRevision: 7 })).toBe('drifted: cluster at revision 7, agent applied 5');
    expect(describeCommand(cmd('a', { targets: ['web', 'api'] }))).toBe('restart web, api');
    expect(describeCommand(cmd('a', { type: 'self-update', agentVersion: '1.4.0' }))).toBe('self-update to 1.4.0');
    expect(describeCommand(cmd('a', { type: 'collect-logs' }))).toBe('collect-logs');
  });
});

describe('patchCommands', () => {
  it('puts a new command first, replaces a known one and ignores an older event', () => {
    const list = [cmd('b'), cmd('a')];
    expect(patchCommands(list, cmd('c')).map((c) => c.id)).toEqual(['c', 'b', 'a']);
    const running = cmd('a', { status: 'running', updatedAt: '2026-01-01T00:00:02.000Z' });
    const patched = patchCommands(list, running);
    expect(patched.map((c) => [c.id, c.status])).toEqual([['b', 'pending'], ['a', 'running']]);
    expect(patchCommands(patched, cmd('a', { status: 'delivered', updatedAt: '2026-01-01T00:00:01.000Z' }))[1]?.status).toBe('running');
  });
});
