import { describe, expect, it } from 'vitest';
import { ratio, toMarkdown, type BenchResults } from './report.js';

const results: BenchResults = {
  label: 'quick',
  agents: 1000,
  startedAt: '2026-11-23T19:00:00.000Z',
  durationSeconds: 95,
  machine: { cores: 2, cpuModel: 'cpu', memoryBytes: 24 * 2 ** 30, node: 'v20.19.0', platform: 'linux' },
  scenarios: [
    { name: 'fanout', completed: true, seconds: 3.2 },
    { name: 'ingest', completed: false, seconds: 1, error: 'boom\nstack' },
  ],
  rows: [{ scenario: 'fanout', metric: 'p99 latency', value: 120, unit: 'ms', reference: { label: 'bare Socket.IO p99', value: 80 }, target: { text: '≤ 2× floor', met: true } }],
  notes: ['a note'],
  load: { atStart: [0.5, 1, 1.25], atEnd: [12.04, 8, 3] },
};

describe('report', () => {
  it('prints absolute figures with the ratio to their reference', () => {
    expect(ratio(results.rows[0]!)).toBe(1.5);
    const md = toMarkdown(results);
    expect(md).toContain('| fanout | p99 latency | 120 ms | bare Socket.IO p99: 80.0 ms | 1.50× | ≤ 2× floor | yes |');
    expect(md).toContain('| ingest | **no**: boom | 1.00 |');
    expect(md).toContain('2 cores');
    expect(md).toContain('- a note');
    expect(md).toContain('Load average (1, 5, 15 min) at the start: 0.5, 1.0, 1.3; at the end: 12.0, 8.0, 3.0 (2 cores');
    expect(toMarkdown({ ...results, load: undefined })).not.toContain('Load average');
  });
});
