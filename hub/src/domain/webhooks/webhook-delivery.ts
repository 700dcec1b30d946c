import type { Knex } from 'knex';
import type { WebhookAttemptOutcome } from '../../infra/metrics.js';
import type { JobInfo, Queues } from '../../infra/queues.js';
import type { Logger } from '../../logger.js';
import type { Mailer } from '../../infra/mailer.js';
import type { AuditService } from '../audit/audit-service.js';
import { subscribed, type MappedEvent } from './event-mapping.js';
import { signedHeaders } from './signing.js';
import { postWebhook } from './webhook-sender.js';
import type { EndpointRow, NewDelivery, WebhookRepository } from './webhook-repository.js';
import type { WebhookSettings } from './settings.js';

export const DELIVER_WEBHOOK_JOB = 'deliver';
export const DISPATCH_EVENTS_JOB = 'dispatch-events';

export interface DeliverJob {
  deliveryId: string;
  /** A redelivery asked for by a person: one attempt, and its failure disables nothing. */
  manual?: boolean;
}

/** The secrets that sign now: the current one, and the previous one during a rotation's overlap. */
export function signingSecrets(e: Pick<EndpointRow, 'secret' | 'previous_secret' | 'previous_secret_expires_at'>, now = new Date()): string[] {
  return e.previous_secret && e.previous_secret_expires_at && e.previous_secret_expires_at > now ? [e.secret, e.previous_secret] : [e.secret];
}

/** Which endpoints receive an event: the vendor's own (all its events), and its customer's (only events about that customer). */
export function fanOut(events: readonly MappedEvent[], endpoints: readonly EndpointRow[]): NewDelivery[] {
  const out: NewDelivery[] = [];
  for (const ev of events) {
    for (const e of endpoints) {
      if (e.vendor_id !== ev.vendorId) continue;
      if (e.customer_id !== null && e.customer_id !== ev.customerId) continue;
      if (!subscribed(e.events, ev.type)) continue;
      out.push({ endpointId: e.id, messageId: ev.messageId, eventType: ev.type, payload: ev.payload });
    }
  }
  return out;
}

/**
 * Delivers webhooks through the `webhooks` queue: one job per delivery, retried by BullMQ with
 * exponential backoff; every attempt's outcome is written on the delivery (the log the portal shows).
 */
export class WebhookDelivery {
  constructor(
    private readonly repo: WebhookRepository,
    private readonly queues: Queues,
    private readonly settings: WebhookSettings,
    private readonly audit: AuditService,
    private readonly mailer: Mailer | undefined,
    private readonly log: Logger,
    /** Told how each attempt ended and how long the receiver took (metrics). */
    private readonly onAttempt: (outcome: WebhookAttemptOutcome, seconds: number) => void = () => undefined,
  ) {}

  /** The event outbox's dispatch: deliveries written with the cursor, their jobs queued after commit. */
  async dispatch(trx: Knex.Transaction, events: MappedEvent[]): Promise<() => Promise<void>> {
    const endpoints = await this.repo.enabledOf(events.map((e) => e.vendorId), trx);
    const planned = fanOut(events, endpoints);
    const ids = await this.repo.insertDeliveries(planned, trx);
    // The outbox is at least once: an event it hands over again must not reach a receiver twice.
    if (ids.length < planned.length) this.log.warn({ skipped: planned.length - ids.length }, 'webhook deliveries already written for these events: not sent again');
    return () => this.enqueue(ids);
  }

  /** Queues deliveries: with retries and backoff, or (`manual`, a redelivery) one attempt. */
  async enqueue(deliveryIds: readonly string[], manual = false): Promise<void> {
    const queue = this.queues.queue<DeliverJob>('webhooks');
    const retries = { attempts: this.settings.maxAttempts, backoff: { type: 'exponential', delay: this.settings.retryBaseMs } };
    const job = (id: string) =>
      manual
        ? { name: DELIVER_WEBHOOK_JOB, data: { deliveryId: id, manual: true }, opts: { jobId: `wh-${id}-m${Date.now()}` } }
        : { name: DELIVER_WEBHOOK_JOB, data: { deliveryId: id }, opts: { ...retries, jobId: `wh-${id}` } };
    for (let i = 0; i < deliveryIds.length; i += 1000) await queue.addBulk(deliveryIds.slice(i, i + 1000).map(job));
  }

  /**
   * Queues again deliveries whose job was lost (written in the outbox's transaction, but the process
   * stopped before queueing them; the same job id keeps one that is merely waiting from running twice,
   * and an attempt re-reads the delivery's status), and purges the log past its retention.
   */
  async housekeeping(now = Date.now()): Promise<{ requeued: number; purged: number }> {
    // One batch per run: the ones still unattempted at the next run (a long queue) are simply found again.
    const ids = await this.repo.strandedDeliveries(this.settings.strandedAfterMs, 5000);
    if (ids.length > 0) await this.enqueue(ids);
    const requeued = ids.length;
    const purged = await this.repo.purgeFinishedDeliveries(new Date(now - this.settings.logRetentionMs));
    if (requeued > 0 || purged > 0) this.log.info({ requeued, purged }, 'webhook housekeeping');
    return { requeued, purged };
  }

  /** One attempt. Throws when BullMQ should retry. */
  async deliver(job: JobInfo<DeliverJob>): Promise<void> {
    const d = await this.repo.delivery(job.data.deliveryId);
    if (!d || d.status === 'succeeded' || d.status === 'cancelled') return;
    const endpoint = await this.repo.endpointById(d.endpoint_id);
    if (!endpoint?.enabled) {
      await this.repo.updateDelivery(d.id, { status: 'cancelled', next_attempt_at: null, error: 'endpoint disabled' });
      return;
    }
    const body = JSON.stringify(d.payload);
    const headers = signedHeaders(signingSecrets(endpoint), d.message_id, Math.floor(Date.now() / 1000), body);
    const result = await postWebhook(endpoint.url, headers, body, { allowPrivate: this.settings.allowPrivate, timeoutMs: this.settings.timeoutMs });
    const ok = result.status !== null && result.status >= 200 && result.status < 300;
    const manual = job.data.manual === true;
    const final = !ok && (manual || job.attemptsMade + 1 >= this.settings.maxAttempts);
    const retryInMs = this.settings.retryBaseMs * 2 ** job.attemptsMade;
    this.onAttempt(ok ? 'succeeded' : final ? 'failed' : 'retrying', result.durationMs / 1000);
    await this.repo.updateDelivery(d.id, {
      status: ok ? 'succeeded' : final ? 'failed' : 'retrying',
      attempts: d.attempts + 1,
      response_status: result.status,
      response_excerpt: result.excerpt,
      error: ok ? null : (result.error ?? `HTTP ${result.status ?? '?'}`),
      duration_ms: result.durationMs,
      last_attempt_at: new Date(),
      next_attempt_at: ok || final ? null : new Date(Date.now() + retryInMs),
    });
    const marked = await this.repo.markEndpoint(endpoint.id, ok);
    if (ok) return;
    if (final && !manual && marked?.failing_since && Date.now() - marked.failing_since.getTime() >= this.settings.disableAfterMs) await this.disable(marked);
    if (!final) throw new Error(`webhook delivery ${d.id} failed: ${result.error ?? `HTTP ${result.status ?? '?'}`}`);
  }

  /** Turns off an endpoint that keeps failing, and tells its owners (audit log, and mail when SMTP is set). */
  private async disable(e: EndpointRow): Promise<void> {
    const reason = `failing since ${e.failing_since?.toISOString() ?? 'long'}: disabled automatically`;
    if (!(await this.repo.autoDisable(e.id, reason))) return;
    this.log.warn({ endpointId: e.id, vendorId: e.vendor_id }, 'webhook endpoint disabled: it kept failing');
    await this.audit.record({
      vendorId: e.vendor_id,
      customerId: e.customer_id,
      actorUserId: null,
      actorTokenId: null,
      actorEmail: null,
      action: 'webhook.update',
      targetType: 'webhook',
      targetId: e.id,
      targetName: e.url,
      ip: null,
      details: { enabled: false, automatic: true, reason },
    });
    if (!this.mailer) return;
    for (const to of await this.repo.adminEmails({ vendorId: e.vendor_id, customerId: e.customer_id })) {
      await this.mailer
        .send({ to, subject: `Webhook disabled: ${e.url}`, text: `The webhook endpoint ${e.url}${e.description ? ` (${e.description})` : ''} kept failing and was disabled.\n\n${reason}.\n\nFix the receiver, then enable it again in Settings → Webhooks; failed deliveries can be redelivered from its delivery log.` })
        .catch((err: unknown) => this.log.error({ err, endpointId: e.id }, 'could not mail about a disabled webhook'));
    }
  }
}
