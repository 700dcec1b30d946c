/** A histogram's totals per label value, read from a hub's Prometheus exposition (`GET /metrics`). */
export type HistogramTotals = Map<string, { seconds: number; count: number }>;

/**
 * The `_sum` and `_count` of histogram `name` per value of `label`, from exposition text
 * (`name_sum{app="…",phase="read"} 1.25`). Series without the label are left out.
 */
export function histogramTotals(text: string, name: string, label: string): HistogramTotals {
  const sums = samplesByLabel(text, `${name}_sum`, label);
  const counts = samplesByLabel(text, `${name}_count`, label);
  const out: HistogramTotals = new Map();
  for (const key of new Set([...sums.keys(), ...counts.keys()])) out.set(key, { seconds: sums.get(key) ?? 0, count: counts.get(key) ?? 0 });
  return out;
}

/** The value of series `name` (a counter, a gauge, a histogram's `_sum`) per value of `label`. */
export function samplesByLabel(text: string, name: string, label: string): Map<string, number> {
  const out = new Map<string, number>();
  const line = new RegExp(`^${name}\\{([^}]*)\\}\\s+(\\S+)$`);
  const labelOf = new RegExp(`(?:^|,)${label}="([^"]*)"`);
  for (const l of text.split('\n')) {
    const m = line.exec(l.trim());
    const value = m?.[1] ? labelOf.exec(m[1])?.[1] : undefined;
    if (!m || value === undefined) continue;
    out.set(value, Number(m[2]));
  }
  return out;
}

/** What happened between two readings of the same histogram (`after` minus `before`). */
export function totalsSince(before: HistogramTotals, after: HistogramTotals): HistogramTotals {
  const out: HistogramTotals = new Map();
  for (const [k, a] of after) {
    const b = before.get(k) ?? { seconds: 0, count: 0 };
    out.set(k, { seconds: a.seconds - b.seconds, count: a.count - b.count });
  }
  return out;
}

/** The hub's metrics now (answered to loopback clients without a token). */
export async function scrapeHub(hubUrl: string): Promise<string> {
  const res = await fetch(`${hubUrl}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return res.text();
}

/** The hub's rollout step phases so far. */
export async function rolloutStepTotals(hubUrl: string): Promise<HistogramTotals> {
  return histogramTotals(await scrapeHub(hubUrl), 'flotilla_rollout_step_seconds', 'phase');
}

/** Where a connect storm's time went between two scrapes: per handshake stage, and per batch of its path. */
export interface HandshakeBreakdown {
  stages: HistogramTotals;
  batches: { batcher: string; flushes: number; items: number; waitSeconds: number; flushSeconds: number }[];
}

export function handshakeBreakdown(before: string, after: string): HandshakeBreakdown {
  const since = (name: string, label: string) => totalsSince(histogramTotals(before, name, label), histogramTotals(after, name, label));
  const flushes = since('flotilla_batch_flush_seconds', 'batcher');
  const waits = since('flotilla_batch_wait_seconds', 'batcher');
  const itemsBefore = samplesByLabel(before, 'flotilla_batch_items_total', 'batcher');
  const itemsAfter = samplesByLabel(after, 'flotilla_batch_items_total', 'batcher');
  const batches = [...flushes]
    .filter(([, f]) => f.count > 0)
    .map(([batcher, f]) => ({ batcher, flushes: f.count, items: (itemsAfter.get(batcher) ?? 0) - (itemsBefore.get(batcher) ?? 0), waitSeconds: waits.get(batcher)?.seconds ?? 0, flushSeconds: f.seconds }));
  return { stages: since('flotilla_agent_handshake_seconds', 'stage'), batches };
}
