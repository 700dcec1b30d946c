import type { SupportBundle, SupportBundleStatus } from '@flotilla/protocol';
import type { BadgeTone } from './format';

/**
 * Applies a `support-bundle:changed` event to a newest-first list: replaces the bundle by id, or
 * puts a new one first. An older state of a bundle never replaces a newer one (events may cross a
 * list fetched meanwhile): a finished bundle stays finished.
 */
export function patchBundles(list: readonly SupportBundle[], bundle: SupportBundle): SupportBundle[] {
  const at = list.findIndex((b) => b.id === bundle.id);
  if (at < 0) return [bundle, ...list];
  const current = list[at] as SupportBundle;
  if (isFinished(current.status) && !isFinished(bundle.status)) return [...list];
  return list.map((b, i) => (i === at ? bundle : b));
}

export function isFinished(status: SupportBundleStatus): boolean {
  return status === 'ready' || status === 'failed' || status === 'rejected';
}

const LABELS: Record<SupportBundleStatus, string> = {
  'awaiting-approval': 'Awaiting approval',
  collecting: 'Collecting',
  ready: 'Ready',
  failed: 'Failed',
  rejected: 'Rejected',
};

export function bundleStatusLabel(status: SupportBundleStatus): string {
  return LABELS[status];
}

export function bundleTone(status: SupportBundleStatus): BadgeTone {
  if (status === 'ready') return 'success';
  if (status === 'failed' || status === 'rejected') return 'danger';
  if (status === 'awaiting-approval') return 'warning';
  return 'info';
}

/** Bytes as people read them: 0 B, 950 B, 12.3 kB, 4.1 MB (powers of 1000, like file managers). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${value >= 100 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}
