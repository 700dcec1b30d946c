import type { Health } from '@flotilla/protocol';

export const DASH = '—';

/** `99.95` → `"100.0%"`, `12.34` → `"12.3%"`, null/NaN → `"—"`. */
export function formatUptime(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return DASH;
  const clamped = Math.min(100, Math.max(0, percent));
  return `${clamped.toFixed(1)}%`;
}

export function formatVersion(version: string | null | undefined): string {
  return version ? version : DASH;
}

/**
 * A short "how long ago": `just now`, `42 s ago`, `5 min ago`, `3 h ago`, `2 d ago`, then the date.
 * `now` is injected so the result is a pure function of its inputs.
 */
export function formatRelativeTime(iso: string | null | undefined, now: number): string {
  if (!iso) return 'never';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return DASH;
  const seconds = Math.round((now - at) / 1000);
  if (seconds < 5) return 'just now';
  if (seconds < 60) return `${seconds} s ago`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.floor(hours / 24);
  if (days < 7) return `${days} d ago`;
  return new Date(at).toISOString().slice(0, 10);
}

export type BadgeTone = 'success' | 'info' | 'warning' | 'danger' | 'neutral';

const HEALTH_TONE: Record<Health, BadgeTone> = {
  healthy: 'success',
  progressing: 'info',
  degraded: 'warning',
  failed: 'danger',
  stopped: 'neutral',
  unknown: 'neutral',
};

export function healthTone(health: Health): BadgeTone {
  return HEALTH_TONE[health];
}

/** `2025-01-01` (UTC) for dates in settings tables; `empty` when there is none. */
export function formatDate(iso: string | null | undefined, empty: string = DASH): string {
  if (!iso) return empty;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? DASH : new Date(at).toISOString().slice(0, 10);
}

/** Replicated's "version age": `0.4` → `today`, `1` → `1 day`, `12.6` → `12 days`, null → `—`. */
export function formatAgeDays(days: number | null | undefined): string {
  if (days === null || days === undefined || !Number.isFinite(days) || days < 0) return DASH;
  const whole = Math.floor(days);
  if (whole === 0) return 'today';
  return whole === 1 ? '1 day' : `${whole} days`;
}
