import { describe, expect, it } from 'vitest';
import type { Command, DesiredComponent } from '@flotilla/protocol';
import { decideReceive, logChunks, MAX_CHUNK_LINES, MAX_LINE_CHARS, refusalReason, resolveTargets } from './command-plan.js';
import type { JournalEntry } from './command-journal.js';

const noop = () => Promise.resolve();
const full = { kind: 'compose' as const, restart: noop, rollback: noop, logs: () => Promise.resolve([]), selfUpdate: noop };
const cmd = (type: Command['type'], extra: Partial<Command> = {}): Command => ({ id: 'c1', type, ...extra });
const comp = (name: string): DesiredComponent => ({ name, kind: 'compose', version: '1', stage: 1, spec: { file: 'x' } });

describe('refusalReason', () => {
  it('accepts what the driver has a hook for, and redeploy always', () => {
    for (const type of ['redeploy', 'restart', 'rollback', 'collect-logs'] as const) expect(refusalReason(cmd(type), full)).toBeUndefined();
    expect(refusalReason(cmd('self-update', { image: 'flotilla/agent-compose:2' }), full)).toBeUndefined();
    expect(refusalReason(cmd('redeploy'), { kind: 'helm' })).toBeUndefined();
  });

  it('refuses a hook the driver lacks, naming the agent kind', () => {
    expect(refusalReason(cmd('rollback'), { ...full, rollback: undefined })).toBe('unsupported: the compose agent cannot rollback');
    expect(refusalReason(cmd('collect-logs'), { kind: 'helm' })).toBe('unsupported: the helm agent cannot collect-logs');
  });

  it('refuses deploy-stage, saying how stages arrive instead, and a self-update without image', () => {
    expect(refusalReason(cmd('deploy-stage'), full)).toMatch(/^unsupported: stages arrive as desired-state revisions/);
    expect(refusalReason(cmd('self-update'), full)).toBe('invalid: self-update needs an image');
  });

  it('accepts an uninstall of the whole installation on any driver, and refuses one with targets', () => {
    expect(refusalReason(cmd('uninstall'), full)).toBeUndefined();
    expect(refusalReason(cmd('uninstall', { revision: 4 }), { kind: 'helm' })).toBeUndefined();
    expect(refusalReason(cmd('uninstall', { targets: ['api'] }), full)).toBe('invalid: uninstall removes the whole installation and takes no targets');
  });
});

describe('decideReceive', () => {
  const entry = (status: JournalEntry['status'], reported = false): JournalEntry => ({ id: 'c1', type: 'restart', status, reported, at: '2026-01-01T00:00:00.000Z' });

  it('accepts a new id, and never runs a known one again', () => {
    expect(decideReceive(undefined, false)).toEqual({ kind: 'accept' });
    expect(decideReceive(entry('running'), true)).toEqual({ kind: 'in-progress' });
    expect(decideReceive(entry('accepted'), true)).toEqual({ kind: 'in-progress' });
    expect(decideReceive(entry('succeeded', true), false)).toEqual({ kind: 'finished', resend: false });
    expect(decideReceive(entry('failed', false), false)).toEqual({ kind: 'finished', resend: true });
  });

  it('treats a command an earlier process took but did not finish as interrupted', () => {
    expect(decideReceive(entry('running'), false)).toEqual({ kind: 'interrupted' });
    expect(decideReceive(entry('accepted'), false)).toEqual({ kind: 'interrupted' });
  });
});

describe('resolveTargets', () => {
  const running = [comp('api'), comp('web')];

  it('takes every running component without targets, and the named ones otherwise', () => {
    expect(resolveTargets(cmd('restart'), running)).toEqual({ components: running });
    expect(resolveTargets(cmd('restart', { targets: ['web'] }), running)).toEqual({ components: [comp('web')] });
  });

  it('names targets the agent does not run, and an agent running nothing', () => {
    expect(resolveTargets(cmd('restart', { targets: ['web', 'db'] }), running)).toEqual({ error: 'not running on this agent: db' });
    expect(resolveTargets(cmd('restart'), [])).toEqual({ error: 'no component is running on this agent yet' });
  });
});

describe('logChunks', () => {
  it('splits into protocol-sized chunks and cuts over-long lines', () => {
    const lines = Array.from({ length: MAX_CHUNK_LINES + 5 }, (_, i) => `line ${i}`);
    lines[3] = 'x'.repeat(MAX_LINE_CHARS + 10);
    const chunks = logChunks('c1', 'api', lines);
    expect(chunks.map((c) => c.lines.length)).toEqual([MAX_CHUNK_LINES, 5]);
    expect(chunks[0]?.lines[3]).toHaveLength(MAX_LINE_CHARS);
    expect(chunks[1]).toEqual({ commandId: 'c1', component: 'api', lines: ['line 1000', 'line 1001', 'line 1002', 'line 1003', 'line 1004'] });
  });

  it('sends one empty chunk for a component without logs', () => {
    expect(logChunks('c1', 'api', [])).toEqual([{ commandId: 'c1', component: 'api', lines: [] }]);
  });
});
