/** A histogram's totals per label value, read from a hub's Prometheus exposition (`GET /metrics`). */
export type HistogramTotals = Map<string, { seconds: number; count: number }>;

/**
 * The `_sum` and `_count` of histogram `name` per value of `label`, from exposition text
 * (`name_sum{app="…",phase="read"} 1.25`). Series without the label are left out.
 */
export function histogramTotals(text: string, name: string, label: string): HistogramTotals {
  const out: HistogramTotals = new Map();
  const line = new RegExp(`^${name}_(sum|count)\\{([^}]*)\\}\\s+(\\S+)$`);
  const labelOf = new RegExp(`(?:^|,)${label}="([^"]*)"`);
  for (const l of text.split('\n')) {
    const m = line.exec(l.trim());
    const value = m?.[2] ? labelOf.exec(m[2])?.[1] : undefined;
    if (!m || value === undefined) continue;
    const t = out.get(value) ?? { seconds: 0, count: 0 };
    if (m[1] === 'sum') t.seconds = Number(m[3]);
    else t.count = Number(m[3]);
    out.set(value, t);
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

/** The hub's rollout step phases so far (metrics are answered to loopback clients without a token). */
export async function rolloutStepTotals(hubUrl: string): Promise<HistogramTotals> {
  const res = await fetch(`${hubUrl}/metrics`);
  if (!res.ok) throw new Error(`GET /metrics: HTTP ${res.status}`);
  return histogramTotals(await res.text(), 'flotilla_rollout_step_seconds', 'phase');
}
