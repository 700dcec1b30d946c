import type { Queues } from '../../infra/queues.js';
import type { Logger } from '../../logger.js';
import type { EventOutbox } from './event-outbox.js';
import { DELIVER_WEBHOOK_JOB, DISPATCH_EVENTS_JOB, type DeliverJob, type WebhookDelivery } from './webhook-delivery.js';

/**
 * The `webhooks` queue's worker: `dispatch-events` (a job scheduler every `pollMs`, any hub process)
 * turns new happenings into deliveries; `deliver` jobs make the attempts.
 */
export function registerWebhookWorkers(queues: Queues, delivery: WebhookDelivery, outbox: EventOutbox, pollMs: number, log: Logger): void {
  const queue = queues.queue<DeliverJob | Record<string, never>>('webhooks');
  queues.work<DeliverJob | Record<string, never>>(
    'webhooks',
    async (job) => {
      if (job.name === DISPATCH_EVENTS_JOB) {
        const result = await outbox.run();
        if (result.more) await queue.add(DISPATCH_EVENTS_JOB, {});
        return;
      }
      if (job.name === DELIVER_WEBHOOK_JOB) return delivery.deliver({ ...job, data: job.data as DeliverJob });
      throw new Error(`Unknown webhooks job ${job.name}`);
    },
    { concurrency: 8 },
  );
  queue.schedule(DISPATCH_EVENTS_JOB, pollMs, DISPATCH_EVENTS_JOB, {}).catch((err: unknown) => log.error({ err }, 'could not schedule the event outbox'));
}
