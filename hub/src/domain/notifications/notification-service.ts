import type { Membership, NotificationPreferences, UpdateNotificationPreferencesBody } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import type { Mailer } from '../../infra/mailer.js';
import type { Logger } from '../../logger.js';
import { AppError } from '../../errors.js';
import type { MailIdentity } from '../branding/branding-service.js';
import type { MappedEvent } from '../webhooks/event-mapping.js';
import { availableEvents, notificationOf, queueItems, type Notification } from './audience.js';
import { composeDigest } from './digest.js';
import type { NotificationRepository } from './notification-repository.js';

/** Digests sent per run at most; a run that hit it runs again at once. */
const DIGESTS_PER_RUN = 500;

/**
 * E-mail notifications: each user's preferences, the queue the event outbox fills (in its own
 * transaction: an event is queued exactly when it is dispatched to webhooks) and the digest job that
 * mails each user what became due, one mail per user and vendor per run. The job runs every
 * NOTIFY_DIGEST_SECONDS, so a burst of events is one mail, not thousands.
 */
export class NotificationService {
  constructor(
    private readonly db: Database,
    private readonly repo: NotificationRepository,
    private readonly mailer: Mailer | undefined,
    private readonly mailIdentity: (vendorId: string) => Promise<MailIdentity>,
    private readonly digestSeconds: number,
    private readonly log: Logger,
  ) {}

  async preferences(userId: string, memberships: readonly Membership[]): Promise<NotificationPreferences> {
    const p = await this.repo.preferences(userId);
    const available = availableEvents(memberships);
    return { email: p.email, events: available.filter((e) => p.events.includes(e)), offlineMinutes: p.offlineMinutes, available, digestSeconds: this.digestSeconds };
  }

  async updatePreferences(userId: string, memberships: readonly Membership[], body: UpdateNotificationPreferencesBody): Promise<NotificationPreferences> {
    const available = availableEvents(memberships);
    const foreign = (body.events ?? []).filter((e) => !available.includes(e));
    if (foreign.length > 0) {
      throw new AppError('VALIDATION_FAILED', `Not an event for your account: ${foreign.join(', ')}`, { issues: [{ path: 'events', message: `not available to you: ${foreign.join(', ')}` }] });
    }
    const current = await this.repo.preferences(userId);
    // Events of another kind (a membership since removed) are kept as they were.
    const events = body.events ? [...new Set([...current.events.filter((e) => !(available as string[]).includes(e)), ...body.events])] : current.events;
    await this.repo.savePreferences(userId, { email: body.email ?? current.email, events, offlineMinutes: body.offlineMinutes ?? current.offlineMinutes });
    return this.preferences(userId, memberships);
  }

  /** The event outbox's hook: queues what the events mean for whoever asked for them, in the outbox's transaction. */
  async enqueue(trx: Knex.Transaction, events: readonly MappedEvent[]): Promise<number> {
    const installationIds = events.flatMap((e) => (e.payload.data.installationId ? [e.payload.data.installationId] : []));
    const releaseIds = events.flatMap((e) => (e.payload.data.releaseId ? [e.payload.data.releaseId] : []));
    const lockedIds = events.flatMap((e) => (e.type === 'release.locked' && e.payload.data.releaseId ? [e.payload.data.releaseId] : []));
    const [installations, releases, following] = await Promise.all([this.repo.installationNames(trx, installationIds), this.repo.releaseNames(trx, releaseIds), this.repo.customersFollowing(trx, lockedIds)]);
    const names = {
      installation: (id: string | null | undefined) => (id ? (installations.get(id) ?? id) : 'an installation'),
      release: (id: string | null | undefined) => (id ? (releases.get(id) ?? id) : 'a release'),
      customersFollowing: (id: string | null | undefined) => (id ? (following.get(id) ?? []) : []),
    };
    const notifications = events.flatMap((e): Notification[] => { const n = notificationOf(e, names); return n ? [n] : []; });
    if (notifications.length === 0) return 0;
    const items = queueItems(notifications, await this.repo.recipientsOf(trx, notifications.map((n) => n.vendorId)));
    await this.repo.enqueue(trx, items);
    return items.length;
  }

  /** One digest run: every user with something due gets one mail (per vendor). */
  async sendDigests(now = new Date()): Promise<{ mails: number; items: number; more: boolean }> {
    const due = await this.repo.dueDigests(now, DIGESTS_PER_RUN);
    let mails = 0;
    let items = 0;
    for (const { user_id, vendor_id } of due) {
      try {
        const sent = await this.db.transaction((trx) => this.sendOne(trx, user_id, vendor_id, now));
        mails += sent > 0 ? 1 : 0;
        items += sent;
      } catch (err) {
        // Rolled back: the items stay queued for the next run.
        this.log.error({ err, userId: user_id }, 'could not send a notification digest');
      }
    }
    return { mails, items, more: due.length >= DIGESTS_PER_RUN };
  }

  private async sendOne(trx: Knex.Transaction, userId: string, vendorId: string, now: Date): Promise<number> {
    const taken = await this.repo.takeDue(trx, userId, vendorId, now);
    if (!taken || taken.rows.length === 0) return 0;
    // "Offline for N minutes" only while it still is.
    const current = taken.rows.filter((r) => r.event !== 'installation.offline' || r.still_offline === true);
    const identity = await this.mailIdentity(vendorId);
    const digest = composeDigest(current.map((r) => ({ event: r.event, installationId: r.installation_id, line: r.line })), `${identity.portalUrl}/settings/notifications`);
    if (digest && this.mailer && taken.email) {
      await this.mailer.send({ to: taken.email, subject: digest.subject.replace(/^Flotilla/, identity.productName), text: digest.text, ...(identity.senderName ? { fromName: identity.senderName } : {}) });
    }
    await this.repo.remove(trx, taken.rows.map((r) => r.id));
    return digest && this.mailer ? digest.count : 0;
  }
}
