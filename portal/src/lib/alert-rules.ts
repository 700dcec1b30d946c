import { ALERT_KINDS, DEFAULT_ALERT_THRESHOLDS, type AlertKind } from '@flotilla/protocol';

/**
 * Words for alert rules in the portal: what each kind watches and what its threshold counts (the
 * hub's vocabulary is protocol's ALERT_KINDS; the defaults are protocol's too).
 */
const KINDS: Record<AlertKind, { label: string; unit: string | null }> = {
  offline: { label: 'Offline longer than', unit: 'minutes' },
  health_failing: { label: 'Health failing longer than', unit: 'minutes' },
  releases_behind: { label: 'Releases behind', unit: 'releases' },
  agent_outdated: { label: 'Agent version outdated', unit: null },
};

export const KIND_OPTIONS = ALERT_KINDS.map((kind) => ({ kind, label: KINDS[kind].label }));

/** What the threshold counts for a kind, or null when the kind has none. */
export function thresholdUnit(kind: AlertKind): string | null {
  return KINDS[kind].unit;
}

export function defaultThreshold(kind: AlertKind): number {
  return DEFAULT_ALERT_THRESHOLDS[kind];
}

/** The rule's condition in a line, e.g. "Offline longer than 15 minutes". */
export function describeCondition(rule: { kind: AlertKind; threshold: number }): string {
  const { label, unit } = KINDS[rule.kind];
  if (unit === null) return label;
  return rule.kind === 'releases_behind' ? `${rule.threshold} or more releases behind` : `${label} ${rule.threshold} ${unit}`;
}

/** The number typed in a threshold field, or undefined when empty (the hub then applies the default). */
export function parseThreshold(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) ? text : undefined;
  const trimmed = text.trim();
  return trimmed === '' ? undefined : Number(trimmed);
}
