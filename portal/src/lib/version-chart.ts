import type { FleetSummary } from '@flotilla/protocol';

/** How many installations run each release, per track (pure): one stacked bar per track. */
export interface VersionSegment {
  version: string | null;
  /** `1.2.0`, or `no release` for installations not running one. */
  label: string;
  count: number;
  /** Share of the track's installations, 0–100. */
  percent: number;
  /** Colour slot: 0 = the newest release of the track, 1 the next…; `none` for no release. */
  tone: number | 'none';
}

export interface TrackBar {
  /** The track id, or `none` for installations on no track. */
  key: string;
  trackName: string;
  total: number;
  segments: VersionSegment[];
  /** The bar's text equivalent, e.g. `Stable: 1.2.0 on 600 (60 %), 1.1.0 on 400 (40 %)`. */
  text: string;
}

/** Colours available for releases; older releases than that share the last one. */
export const VERSION_TONES = 6;

const collator = new Intl.Collator('en', { numeric: true });

function roundPercent(count: number, total: number): number {
  return total === 0 ? 0 : Math.round((count / total) * 1000) / 10;
}

/** Bars for `byVersion`: tracks by name (no track last), releases newest first, no release last. */
export function versionBars(byVersion: FleetSummary['byVersion']): TrackBar[] {
  const tracks = new Map<string, { trackName: string; groups: { version: string | null; count: number }[] }>();
  for (const g of byVersion) {
    if (g.count <= 0) continue;
    const key = g.trackId ?? 'none';
    const entry = tracks.get(key) ?? { trackName: g.trackName ?? (g.trackId === null ? 'No track' : g.trackId), groups: [] };
    const same = entry.groups.find((x) => x.version === g.version);
    if (same) same.count += g.count;
    else entry.groups.push({ version: g.version, count: g.count });
    tracks.set(key, entry);
  }
  const bars = [...tracks].map(([key, { trackName, groups }]) => {
    const total = groups.reduce((n, g) => n + g.count, 0);
    const ordered = groups.sort((a, b) => (a.version === null ? 1 : b.version === null ? -1 : collator.compare(b.version, a.version)));
    let rank = 0;
    const segments: VersionSegment[] = ordered.map((g) => ({
      version: g.version,
      label: g.version ?? 'no release',
      count: g.count,
      percent: roundPercent(g.count, total),
      tone: g.version === null ? 'none' : Math.min(rank++, VERSION_TONES - 1),
    }));
    const text = `${trackName}: ${segments.map((s) => `${s.label} on ${s.count} (${s.percent} %)`).join(', ')}`;
    return { key, trackName, total, segments, text };
  });
  return bars.sort((a, b) => (a.key === 'none' ? 1 : b.key === 'none' ? -1 : collator.compare(a.trackName, b.trackName)));
}
