import { describe, expect, it } from 'vitest';
import { handshakeBreakdown, histogramTotals, totalsSince } from './hub-metrics.js';

const exposition = (read: number, readCount: number) => `# HELP flotilla_rollout_step_seconds Time a rollout step…
# TYPE flotilla_rollout_step_seconds histogram
flotilla_rollout_step_seconds_bucket{le="0.005",app="flotilla-hub",phase="read"} 0
flotilla_rollout_step_seconds_sum{app="flotilla-hub",phase="read"} ${read}
flotilla_rollout_step_seconds_count{app="flotilla-hub",phase="read"} ${readCount}
flotilla_rollout_step_seconds_sum{phase="deliver",app="flotilla-hub"} 0.5
flotilla_rollout_step_seconds_count{phase="deliver",app="flotilla-hub"} 2
flotilla_rollout_step_seconds_sum{app="flotilla-hub"} 9
flotilla_rollout_steps_other_sum{app="flotilla-hub",phase="read"} 7
`;

describe('histogramTotals', () => {
  it('reads each label value’s sum and count, wherever the label sits, and nothing of other metrics', () => {
    const t = histogramTotals(exposition(1.25, 3), 'flotilla_rollout_step_seconds', 'phase');
    expect([...t]).toEqual([
      ['read', { seconds: 1.25, count: 3 }],
      ['deliver', { seconds: 0.5, count: 2 }],
    ]);
  });

  it('subtracts an earlier reading', () => {
    const before = histogramTotals(exposition(1.25, 3), 'flotilla_rollout_step_seconds', 'phase');
    const after = histogramTotals(exposition(4.75, 5), 'flotilla_rollout_step_seconds', 'phase');
    expect(totalsSince(before, after).get('read')).toEqual({ seconds: 3.5, count: 2 });
    expect(totalsSince(before, after).get('deliver')).toEqual({ seconds: 0, count: 0 });
  });
});

describe('handshakeBreakdown', () => {
  const scrape = (n: number) => `flotilla_agent_handshake_seconds_sum{app="flotilla-hub",stage="session"} ${0.5 * n}
flotilla_agent_handshake_seconds_count{app="flotilla-hub",stage="session"} ${10 * n}
flotilla_batch_flush_seconds_sum{app="flotilla-hub",batcher="hellos"} ${0.2 * n}
flotilla_batch_flush_seconds_count{app="flotilla-hub",batcher="hellos"} ${2 * n}
flotilla_batch_wait_seconds_sum{app="flotilla-hub",batcher="hellos"} ${0.04 * n}
flotilla_batch_wait_seconds_count{app="flotilla-hub",batcher="hellos"} ${2 * n}
flotilla_batch_items_total{app="flotilla-hub",batcher="hellos"} ${10 * n}
flotilla_batch_flush_seconds_sum{app="flotilla-hub",batcher="licenses"} 1
flotilla_batch_flush_seconds_count{app="flotilla-hub",batcher="licenses"} 3
`;

  it('tells each stage and each batch that ran between two scrapes, with its items, waits and flush time', () => {
    const b = handshakeBreakdown(scrape(1), scrape(3));
    expect(b.stages.get('session')).toEqual({ seconds: 1, count: 20 });
    // licenses did not flush between the scrapes: left out.
    expect(b.batches).toEqual([{ batcher: 'hellos', flushes: 4, items: 20, waitSeconds: expect.closeTo(0.08, 6), flushSeconds: expect.closeTo(0.4, 6) }]);
  });
});
