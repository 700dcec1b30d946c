import { NOTIFICATION_EVENTS, type NotificationEvent } from '@flotilla/protocol';

/** One queued notification as the digest sees it. */
export interface DigestItem {
  event: NotificationEvent;
  installationId: string | null;
  line: string;
}

export interface Digest {
  subject: string;
  text: string;
  /** Items counted in it (after duplicates were folded). */
  count: number;
}

const TITLES: Record<NotificationEvent, string> = {
  'rollout.paused': 'Rollouts paused',
  'rollout.failed': 'Rollouts failed',
  'approval.given': 'Approvals given',
  'installation.offline': 'Installations offline',
  'alert.firing': 'Alerts firing',
  'alert.resolved': 'Alerts resolved',
  'update.available': 'Updates available',
  'approval.requested': 'Approvals requested',
  'maintenance.scheduled': 'Updates scheduled for a maintenance window',
};

/** Lines listed per section; the rest are counted. */
export const DIGEST_LINES = 20;

/**
 * One mail out of everything a user's digest holds (pure): a section per event kind in the
 * catalogue's order, each with its count and its first lines. An installation offline twice in one
 * digest counts once; the same line twice counts once.
 */
export function composeDigest(items: readonly DigestItem[], settingsUrl: string, maxLines = DIGEST_LINES): Digest | undefined {
  const groups = new Map<NotificationEvent, string[]>();
  const seen = new Set<string>();
  for (const item of items) {
    const key = item.event === 'installation.offline' && item.installationId ? `${item.event}|${item.installationId}` : `${item.event}|${item.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    groups.set(item.event, [...(groups.get(item.event) ?? []), item.line]);
  }
  const sections = NOTIFICATION_EVENTS.flatMap((event) => {
    const lines = groups.get(event);
    return lines ? [{ title: TITLES[event], lines }] : [];
  });
  if (sections.length === 0) return undefined;
  const subject = `Flotilla: ${sections.map((s) => `${s.lines.length} ${s.title.toLowerCase()}`).join(', ')}`;
  const body = sections
    .map((s) => {
      const shown = s.lines.slice(0, maxLines).map((l) => `- ${l}`);
      if (s.lines.length > maxLines) shown.push(`- … and ${s.lines.length - maxLines} more`);
      return `${s.title} (${s.lines.length}):\n${shown.join('\n')}`;
    })
    .join('\n\n');
  return { subject, text: `${body}\n\nYou get this digest because of your notification settings: ${settingsUrl}`, count: seen.size };
}
