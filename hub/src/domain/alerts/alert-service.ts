import { DEFAULT_ALERT_THRESHOLDS, type Alert, type AlertKind, type AlertList, type AlertRule, type AlertRuleList, type AlertsQuery, type CreateAlertRuleBody, type UpdateAlertRuleBody } from '@flotilla/protocol';
import type { Knex } from 'knex';
import type { Database } from '../../infra/index.js';
import type { Logger } from '../../logger.js';
import { AppError } from '../../errors.js';
import type { Scope } from '../access/roles.js';
import { agentUpdateOffer, type ShippedAgentImages } from '../commands/agent-update.js';
import { isUuid } from '../shared/db-errors.js';
import type { Notifier } from '../shared/notifier.js';
import { diffAlerts, type InstallationFacts } from './evaluate.js';

interface RuleRow { id: string; vendor_id: string; name: string; kind: AlertKind; threshold: number; enabled: boolean; created_at: Date; updated_at: Date }

const toRule = (r: RuleRow): AlertRule => ({ id: r.id, name: r.name, kind: r.kind, threshold: r.threshold, enabled: r.enabled, createdAt: r.created_at.toISOString(), updatedAt: r.updated_at.toISOString() });

/**
 * Alert rules and their evaluation. A run (the `evaluate-alerts` maintenance job) compares every
 * rule of a vendor with its installations: new breaches fire, ended ones resolve. Each change is
 * written as an `alert` event on the installation's timeline, which the event outbox turns into
 * `alert.firing` / `alert.resolved` webhooks and, for users who subscribed, e-mail digest items
 * (domain/notifications: a run's thousand alerts are one digest, not a thousand mails).
 */
export class AlertService {
  constructor(
    private readonly db: Database,
    private readonly shipped: ShippedAgentImages,
    private readonly log: Logger,
    private readonly notifier: Notifier,
  ) {}

  async listRules(vendorId: string): Promise<AlertRuleList> {
    const rows: RuleRow[] = await this.db('alert_rules').where({ vendor_id: vendorId }).orderBy([{ column: 'created_at' }, { column: 'id' }]);
    return { items: rows.map(toRule) };
  }

  async createRule(vendorId: string, body: CreateAlertRuleBody): Promise<AlertRule> {
    const [row] = (await this.db('alert_rules')
      .insert({ vendor_id: vendorId, name: body.name, kind: body.kind, threshold: body.threshold ?? DEFAULT_ALERT_THRESHOLDS[body.kind], enabled: body.enabled ?? true })
      .returning('*')) as RuleRow[];
    if (!row) throw new Error('insert returned no row');
    return toRule(row);
  }

  async updateRule(vendorId: string, id: string, body: UpdateAlertRuleBody): Promise<AlertRule> {
    const [row] = isUuid(id) ? ((await this.db('alert_rules').where({ vendor_id: vendorId, id }).update({ ...body, updated_at: this.db.fn.now() }).returning('*')) as RuleRow[]) : [];
    if (!row) throw AppError.notFound('Alert rule');
    return toRule(row);
  }

  async deleteRule(vendorId: string, id: string): Promise<void> {
    if (!isUuid(id) || (await this.db('alert_rules').where({ vendor_id: vendorId, id }).delete()) === 0) throw AppError.notFound('Alert rule');
  }

  /** Alerts the scope may see (customers: their own installations'), newest first. */
  async list(scope: Scope, q: AlertsQuery): Promise<AlertList> {
    const query = this.db('alerts as a')
      .join('alert_rules as r', 'r.id', 'a.rule_id')
      .join('installations as i', 'i.id', 'a.installation_id')
      .where('a.vendor_id', scope.vendorId)
      .orderBy('a.id', 'desc')
      .limit(q.limit)
      .select('a.id', 'a.rule_id', 'r.name as rule_name', 'r.kind', 'a.installation_id', 'i.name as installation_name', 'i.customer_id', 'a.message', 'a.fired_at', 'a.resolved_at');
    if (scope.customerId !== null) query.where('i.customer_id', scope.customerId);
    if (q.state === 'firing') query.whereNull('a.resolved_at');
    if (q.state === 'resolved') query.whereNotNull('a.resolved_at');
    if (q.installationId) query.where('a.installation_id', q.installationId);
    return { items: toAlerts(await query) };
  }

  /** Shows alerts that changed to whoever sees their installation. */
  private async announce(vendorId: string, ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    const rows: AlertRow[] = await this.db('alerts as a')
      .join('alert_rules as r', 'r.id', 'a.rule_id')
      .join('installations as i', 'i.id', 'a.installation_id')
      .whereIn('a.id', [...ids])
      .select('a.id', 'a.rule_id', 'r.name as rule_name', 'r.kind', 'a.installation_id', 'i.name as installation_name', 'i.customer_id', 'a.message', 'a.fired_at', 'a.resolved_at');
    for (const alert of toAlerts(rows)) this.notifier.alertChanged({ vendorId, customerId: alert.customerId }, alert);
  }

  /** One evaluation of every vendor with rules (or alerts still open). */
  async evaluateAll(now = Date.now()): Promise<{ fired: number; resolved: number }> {
    const vendors: { vendor_id: string }[] = await this.db.raw(`SELECT vendor_id FROM alert_rules UNION SELECT vendor_id FROM alerts WHERE resolved_at IS NULL`).then((r: { rows: { vendor_id: string }[] }) => r.rows);
    let fired = 0;
    let resolved = 0;
    for (const { vendor_id } of vendors) {
      const r = await this.evaluateVendor(vendor_id, now);
      fired += r.fired;
      resolved += r.resolved;
    }
    return { fired, resolved };
  }

  async evaluateVendor(vendorId: string, now = Date.now()): Promise<{ fired: number; resolved: number }> {
    const changes = await this.db.transaction(async (trx) => {
      // One run per vendor at a time, whichever hub process runs it.
      await trx.raw(`SELECT pg_advisory_xact_lock(hashtext('alerts:' || ?))`, [vendorId]);
      const rules: RuleRow[] = await trx('alert_rules').where({ vendor_id: vendorId });
      const open: { id: string; rule_id: string; installation_id: string }[] = await trx('alerts').where({ vendor_id: vendorId }).whereNull('resolved_at').select('id', 'rule_id', 'installation_id');
      const facts = await this.facts(trx, vendorId);
      const releases: { track_id: string; version: string }[] = await trx('releases').where({ vendor_id: vendorId, status: 'ready' }).select('track_id', 'version');
      const byTrack = new Map<string, string[]>();
      for (const r of releases) byTrack.set(r.track_id, [...(byTrack.get(r.track_id) ?? []), r.version]);
      const diff = diffAlerts(rules, facts, open.map((a) => ({ id: String(a.id), ruleId: a.rule_id, installationId: a.installation_id })), byTrack, now);
      const kind = new Map(rules.map((r) => [r.id, r]));
      const firedRows = diff.fire.length === 0 ? [] : ((await trx('alerts').insert(diff.fire.map((f) => ({ rule_id: f.ruleId, vendor_id: vendorId, installation_id: f.installationId, message: f.message }))).returning(['id', 'rule_id', 'installation_id', 'message'])) as { id: string; rule_id: string; installation_id: string; message: string }[]);
      const resolvedRows = diff.resolve.length === 0 ? [] : ((await trx('alerts').whereIn('id', diff.resolve.map((a) => a.id)).update({ resolved_at: new Date(now) }).returning(['id', 'rule_id', 'installation_id', 'message'])) as { id: string; rule_id: string; installation_id: string; message: string }[]);
      const event = (a: { id: string; rule_id: string; installation_id: string; message: string }, state: 'firing' | 'resolved') => ({
        vendor_id: vendorId,
        installation_id: a.installation_id,
        type: 'alert',
        message: `${kind.get(a.rule_id)?.name ?? 'alert'} ${state}: ${a.message}`,
        data: JSON.stringify({ alertId: String(a.id), ruleId: a.rule_id, kind: kind.get(a.rule_id)?.kind ?? null, state }),
      });
      const events = [...firedRows.map((a) => event(a, 'firing')), ...resolvedRows.map((a) => event(a, 'resolved'))];
      for (let i = 0; i < events.length; i += 2000) await trx('installation_events').insert(events.slice(i, i + 2000));
      return { fired: firedRows.length, resolved: resolvedRows.length, ids: [...firedRows, ...resolvedRows].map((a) => String(a.id)) };
    });
    if (changes.ids.length > 0) {
      await this.announce(vendorId, changes.ids).catch((err: unknown) => this.log.error({ err, vendorId }, 'could not announce alerts'));
    }
    return { fired: changes.fired, resolved: changes.resolved };
  }

  private async facts(trx: Knex.Transaction, vendorId: string): Promise<InstallationFacts[]> {
    const rows: { id: string; name: string; online: boolean; last_seen_at: Date | null; health: string; health_since: Date | null; running_version: string | null; track_id: string | null; agent_kind: 'compose' | 'helm'; agent_id: string | null; agent_version: string | null }[] = await trx('installations as i')
      .leftJoin('agents as a', 'a.installation_id', 'i.id')
      .where('i.vendor_id', vendorId)
      .select('i.id', 'i.name', 'i.online', 'i.last_seen_at', 'i.health', 'i.health_since', 'i.running_version', 'i.track_id', 'i.agent_kind', 'a.id as agent_id', 'a.agent_version');
    return rows.map((r) => ({
      installationId: r.id,
      name: r.name,
      hasAgent: r.agent_id !== null && r.last_seen_at !== null,
      online: r.online,
      lastSeenAt: r.last_seen_at,
      health: r.health,
      healthSince: r.health_since,
      runningVersion: r.running_version,
      trackId: r.track_id,
      agentOutdated: agentUpdateOffer(r.agent_kind, r.agent_version, this.shipped) !== null,
    }));
  }
}

type AlertRow = { id: string; rule_id: string; rule_name: string; kind: AlertKind; installation_id: string; installation_name: string; customer_id: string; message: string; fired_at: Date; resolved_at: Date | null };

function toAlerts(rows: AlertRow[]): Alert[] {
  return rows.map(
    (r): Alert => ({
      id: String(r.id),
      ruleId: r.rule_id,
      ruleName: r.rule_name,
      kind: r.kind,
      installationId: r.installation_id,
      installationName: r.installation_name,
      customerId: r.customer_id,
      state: r.resolved_at ? 'resolved' : 'firing',
      message: r.message,
      firedAt: r.fired_at.toISOString(),
      resolvedAt: r.resolved_at?.toISOString() ?? null,
    }),
  );
}
