import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Pure figures of the outage and metrics scenarios: checking what the loopback receivers got, and
 * turning CPU seconds into shares of a core.
 */

/**
 * The Standard Webhooks check, written here from the spec rather than imported from the hub: the
 * `webhook-signature` header lists `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` entries
 * (several during a secret's rotation), keyed with the base64 after `whsec_`.
 */
export function verifyWebhookSignature(secret: string, id: string, timestamp: string, body: string, header: string): boolean {
  if (!secret.startsWith('whsec_')) return false;
  const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64')).update(`${id}.${timestamp}.${body}`).digest();
  return header.split(' ').some((entry) => {
    const [version, sig] = entry.split(',');
    if (version !== 'v1' || sig === undefined) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** What a webhook receiver got: each delivery by message id (retries of one message count once). */
export class DeliveryTally {
  private readonly firstAt = new Map<string, number>();
  readonly byType = new Map<string, number>();
  /** Deliveries of a message already received (at-least-once: harmless, counted apart). */
  repeats = 0;
  /** Deliveries whose signature did not verify (or had no id). */
  badSignatures = 0;

  record(d: { id: string | undefined; type: string; signed: boolean; at: number }): void {
    if (d.id === undefined || !d.signed) {
      this.badSignatures += 1;
      return;
    }
    if (this.firstAt.has(d.id)) {
      this.repeats += 1;
      return;
    }
    this.firstAt.set(d.id, d.at);
    this.byType.set(d.type, (this.byType.get(d.type) ?? 0) + 1);
  }

  /** Distinct messages received. */
  get received(): number {
    return this.firstAt.size;
  }

  of(type: string): number {
    return this.byType.get(type) ?? 0;
  }

  /** Distinct messages first received in [from, to] (epoch ms). */
  receivedBetween(from: number, to: number): number {
    let n = 0;
    for (const t of this.firstAt.values()) if (t >= from && t <= to) n += 1;
    return n;
  }

  /** The most messages first received within any `windowMs`, per second (the receiver's peak rate). */
  peakRate(windowMs: number): number {
    const times = [...this.firstAt.values()].sort((a, b) => a - b);
    let best = 0;
    let from = 0;
    for (let to = 0; to < times.length; to++) {
      while ((times[to] ?? 0) - (times[from] ?? 0) >= windowMs) from += 1;
      best = Math.max(best, to - from + 1);
    }
    return best / (windowMs / 1000);
  }

  /** Epoch ms of the last first receipt (NaN when none). */
  get lastAt(): number {
    let last = Number.NaN;
    for (const t of this.firstAt.values()) if (!(t <= last)) last = t;
    return last;
  }
}

/** Mails received per address, for the given addresses (0 for those that got none). */
export function mailsPerUser(mails: readonly { to: readonly string[] }[], users: readonly string[]): Map<string, number> {
  const counts = new Map(users.map((u) => [u, 0]));
  for (const m of mails) for (const to of m.to) if (counts.has(to)) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
}

/**
 * The shortest time between two mails to the same address (Infinity when nobody got two): a digest
 * coalesces, so one address gets at most one per digest interval however many events there were.
 */
export function closestMailGap(mails: readonly { to: readonly string[]; at: number }[], users: readonly string[]): number {
  let closest = Number.POSITIVE_INFINITY;
  for (const u of users) {
    const times = mails.filter((m) => m.to.includes(u)).map((m) => m.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) closest = Math.min(closest, (times[i] ?? 0) - (times[i - 1] ?? 0));
  }
  return closest;
}

/** CPU time over a wall-clock stretch as a percentage of one core (100 = one core busy throughout). */
export function corePercent(cpuSeconds: number, wallSeconds: number): number {
  return wallSeconds > 0 ? (cpuSeconds / wallSeconds) * 100 : Number.NaN;
}

/**
 * What a load costs the hub: its CPU share with the load minus without it, windows of any length
 * (each as % of one core, so windows of slightly different lengths compare).
 */
export function addedCorePercent(without: { cpuSeconds: number; wallSeconds: number }, withLoad: { cpuSeconds: number; wallSeconds: number }): { without: number; with: number; added: number } {
  const a = corePercent(without.cpuSeconds, without.wallSeconds);
  const b = corePercent(withLoad.cpuSeconds, withLoad.wallSeconds);
  return { without: a, with: b, added: b - a };
}
