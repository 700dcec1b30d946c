import { describe, expect, it } from 'vitest';
import { readRepoFile } from './repo.js';

interface Panel {
  title: string;
  targets: { expr: string }[];
  gridPos: { x: number; y: number; w: number; h: number };
}

/** The metric names the hub registers (hub/src/infra/metrics.ts), read from its source. */
function hubMetricNames(): Set<string> {
  const source = readRepoFile('hub/src/infra/metrics.ts');
  return new Set([...source.matchAll(/name: '(flotilla_\w+)'/g)].map((m) => m[1] as string));
}

/** Histograms are queried through their _bucket / _count / _sum series. */
const base = (series: string) => series.replace(/_(bucket|count|sum)$/, '');

describe('Grafana dashboard (docker/grafana/flotilla-hub.json)', () => {
  const dashboard = JSON.parse(readRepoFile('docker/grafana/flotilla-hub.json')) as { uid: string; panels: Panel[] };
  const registered = hubMetricNames();

  it('queries only metrics the hub exports (a renamed metric breaks this test, not the dashboard)', () => {
    expect(registered.size).toBeGreaterThanOrEqual(8);
    const used = new Set(dashboard.panels.flatMap((p) => p.targets.flatMap((t) => [...t.expr.matchAll(/\b(flotilla_\w+)/g)].map((m) => base(m[1] as string)))));
    expect(used.size).toBeGreaterThanOrEqual(8);
    for (const name of used) expect(registered, name).toContain(name);
  });

  it('charts every flotilla metric the hub exports', () => {
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const name of registered) expect(exprs, name).toContain(name);
  });

  it('lays panels out without overlaps', () => {
    const cells = new Set<string>();
    for (const p of dashboard.panels) {
      for (let x = p.gridPos.x; x < p.gridPos.x + p.gridPos.w; x++) {
        for (let y = p.gridPos.y; y < p.gridPos.y + p.gridPos.h; y++) {
          const cell = `${x},${y}`;
          expect(cells.has(cell), `${p.title} overlaps at ${cell}`).toBe(false);
          cells.add(cell);
        }
      }
    }
  });
});
