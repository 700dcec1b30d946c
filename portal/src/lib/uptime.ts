import type { UptimeResponse, UptimeSegment, UptimeWindow } from '@flotilla/protocol';
import { formatUptime } from './format';

/** The status-page bar of an installation: pure colouring and wording of the hub's uptime segments. */

export const UPTIME_WINDOWS: readonly { window: UptimeWindow; label: string }[] = [
  { window: '24h', label: '24 h' },
  { window: '7d', label: '7 d' },
  { window: '30d', label: '30 d' },
];

export type SegmentState = 'online' | 'degraded' | 'offline' | 'no-data';

/** Below this share of the known time (0.1 %: 3.6 s of an hour, 86 s of a day) a state does not colour a segment. */
const NOTICEABLE = 0.001;

/**
 * One colour per segment: no data when nothing of it is known (before the installation existed, in
 * the future); otherwise the worse of offline and degraded when it is noticeable, else online.
 */
export function segmentState(s: UptimeSegment): SegmentState {
  const known = s.onlinePercent + s.degradedPercent + s.offlinePercent;
  if (known <= 0) return 'no-data';
  const offline = s.offlinePercent / known;
  const degraded = s.degradedPercent / known;
  if (offline < NOTICEABLE && degraded < NOTICEABLE) return 'online';
  return offline >= degraded ? 'offline' : 'degraded';
}

const pad = (n: number) => String(n).padStart(2, '0');
const day = (d: Date) => `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
const hour = (d: Date) => `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;

/** `2026-12-04 14:00–15:00 UTC` (an hour) or `2026-12-04 UTC` (a day). */
export function segmentPeriod(s: Pick<UptimeSegment, 'start' | 'end'>, bucket: UptimeResponse['bucket']): string {
  const start = new Date(s.start);
  if (Number.isNaN(start.getTime())) return s.start;
  if (bucket === 'day') return `${day(start)} UTC`;
  const end = new Date(s.end);
  return `${day(start)} ${hour(start)}–${Number.isNaN(end.getTime()) ? '?' : hour(end)} UTC`;
}

export function incidentsText(n: number): string {
  return n === 0 ? 'no incidents' : n === 1 ? '1 incident' : `${n} incidents`;
}

/** `2026-12-04 14:00–15:00 UTC: online 95.0%, degraded 0.0%, offline 5.0%, 1 incident` (no data only when there is some). */
export function segmentTooltip(s: UptimeSegment, bucket: UptimeResponse['bucket']): string {
  const parts = [`online ${formatUptime(s.onlinePercent)}`, `degraded ${formatUptime(s.degradedPercent)}`, `offline ${formatUptime(s.offlinePercent)}`];
  if (s.noDataPercent > 0) parts.push(`no data ${formatUptime(s.noDataPercent)}`);
  return `${segmentPeriod(s, bucket)}: ${parts.join(', ')}, ${incidentsText(s.incidents)}`;
}

/** The headline: `99.9% uptime over 24 h`, or `no data yet` before the agent ever connected. */
export function uptimeHeadline(r: Pick<UptimeResponse, 'uptimePercent' | 'window'>): string {
  const label = UPTIME_WINDOWS.find((w) => w.window === r.window)?.label ?? r.window;
  return r.uptimePercent === null ? `no data yet over ${label}` : `${formatUptime(r.uptimePercent)} uptime over ${label}`;
}
