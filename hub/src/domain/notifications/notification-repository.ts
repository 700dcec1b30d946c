import { DEFAULT_NOTIFICATION_PREFERENCES, type NotificationEvent } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import type { Preferences, QueueItem, Recipient } from './audience.js';

interface PrefsRow { user_id: string; email: boolean; events: string[]; offline_minutes: number }

const toPrefs = (r: PrefsRow | undefined): Preferences =>
  r ? { email: r.email, events: r.events, offlineMinutes: r.offline_minutes } : { email: DEFAULT_NOTIFICATION_PREFERENCES.email, events: DEFAULT_NOTIFICATION_PREFERENCES.events, offlineMinutes: DEFAULT_NOTIFICATION_PREFERENCES.offlineMinutes };

export interface DueRow { id: string; vendor_id: string; event: NotificationEvent; installation_id: string | null; line: string; still_offline: boolean | null }

/** Preferences, the audience of events, and the digest queue (SQL only; decisions are in audience.ts and digest.ts). */
export class NotificationRepository {
  constructor(private readonly db: Database) {}

  async preferences(userId: string): Promise<Preferences> {
    return toPrefs(await this.db('notification_preferences').where({ user_id: userId }).first());
  }

  async savePreferences(userId: string, p: Preferences): Promise<void> {
    await this.db('notification_preferences')
      .insert({ user_id: userId, email: p.email, events: [...p.events], offline_minutes: p.offlineMinutes, updated_at: this.db.fn.now() })
      .onConflict('user_id')
      .merge();
  }

  /** Every membership of the vendors' users, with the user's preferences (defaults when none saved). */
  async recipientsOf(trx: Knex.Transaction, vendorIds: readonly string[]): Promise<Recipient[]> {
    const rows: (PrefsRow & { vendor_id: string; customer_id: string | null; has_prefs: boolean })[] = await trx('memberships as m')
      .leftJoin('notification_preferences as p', 'p.user_id', 'm.user_id')
      .whereIn('m.vendor_id', [...new Set(vendorIds)])
      .select('m.user_id', 'm.vendor_id', 'm.customer_id', 'p.email', 'p.events', 'p.offline_minutes', trx.raw('p.user_id IS NOT NULL AS has_prefs'));
    return rows.map((r) => ({ userId: r.user_id, vendorId: r.vendor_id, customerId: r.customer_id, prefs: toPrefs(r.has_prefs ? r : undefined) }));
  }

  async installationNames(trx: Knex.Transaction, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; name: string }[] = await trx('installations').whereIn('id', [...new Set(ids)]).select('id', 'name');
    return new Map(rows.map((r) => [r.id, r.name]));
  }

  /** "track version" per release id. */
  async releaseNames(trx: Knex.Transaction, ids: readonly string[]): Promise<Map<string, string>> {
    if (ids.length === 0) return new Map();
    const rows: { id: string; version: string; track: string }[] = await trx('releases as r').join('tracks as t', 't.id', 'r.track_id').whereIn('r.id', [...new Set(ids)]).select('r.id', 'r.version', 't.name as track');
    return new Map(rows.map((r) => [r.id, `${r.track} ${r.version}`]));
  }

  /** Per release: the customers with an installation following its track. */
  async customersFollowing(trx: Knex.Transaction, releaseIds: readonly string[]): Promise<Map<string, string[]>> {
    if (releaseIds.length === 0) return new Map();
    const rows: { release_id: string; customer_id: string }[] = await trx('releases as r')
      .join('installations as i', 'i.track_id', 'r.track_id')
      .whereIn('r.id', [...new Set(releaseIds)])
      .distinct('r.id as release_id', 'i.customer_id');
    const map = new Map<string, string[]>();
    for (const r of rows) map.set(r.release_id, [...(map.get(r.release_id) ?? []), r.customer_id]);
    return map;
  }

  async enqueue(trx: Knex.Transaction, items: readonly QueueItem[]): Promise<void> {
    const rows = items.map((i) => ({ user_id: i.userId, vendor_id: i.vendorId, event: i.event, installation_id: i.installationId, line: i.line, at: i.at, due_at: i.dueAt }));
    for (let i = 0; i < rows.length; i += 2000) await trx('notification_queue').insert(rows.slice(i, i + 2000));
  }

  /** Users (with the vendor their items are about) that have something due. */
  async dueDigests(now: Date, limit: number): Promise<{ user_id: string; vendor_id: string }[]> {
    return this.db('notification_queue').where('due_at', '<=', now).distinct('user_id', 'vendor_id').limit(limit);
  }

  /**
   * A user's due items of a vendor, in a transaction that holds the user's digest lock (or null
   * when another hub process holds it: it is sending this very digest).
   */
  async takeDue(trx: Knex.Transaction, userId: string, vendorId: string, now: Date): Promise<{ email: string; rows: DueRow[] } | null> {
    const { rows: [lock] } = (await trx.raw(`SELECT pg_try_advisory_xact_lock(hashtextextended('notify-digest:' || ?, 0)) AS ok`, [userId])) as { rows: { ok: boolean }[] };
    if (!lock?.ok) return null;
    const user = (await trx('users').where({ id: userId }).first('email')) as { email: string } | undefined;
    const rows: DueRow[] = await trx('notification_queue as q')
      .leftJoin('installations as i', 'i.id', 'q.installation_id')
      .where({ 'q.user_id': userId, 'q.vendor_id': vendorId })
      .where('q.due_at', '<=', now)
      .orderBy('q.id')
      .select('q.id', 'q.vendor_id', 'q.event', 'q.installation_id', 'q.line', trx.raw('NOT i.online AS still_offline'));
    return { email: user?.email ?? '', rows };
  }

  async remove(trx: Knex.Transaction, ids: readonly string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += 5000) await trx('notification_queue').whereIn('id', ids.slice(i, i + 5000)).delete();
  }

  async pending(): Promise<number> {
    const [row] = (await this.db('notification_queue').count('* as n')) as { n: string }[];
    return Number(row?.n ?? 0);
  }
}
