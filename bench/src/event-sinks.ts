import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { DeliveryTally, verifyWebhookSignature } from './event-figures.js';

export interface ReceivedMail {
  to: string[];
  subject: string;
  at: number;
  /** The raw message (headers and body). */
  body: string;
}

/**
 * The outage scenario's receivers, on loopback: an HTTP endpoint that checks each webhook's
 * Standard Webhooks signature and answers 204 after `latencyMs` (as a real receiver would take), and
 * an SMTP server keeping every mail (the hub's SMTP_URL). Both live in the harness process; they do
 * little per message.
 */
export class EventSinks {
  readonly deliveries = new DeliveryTally();
  readonly mails: ReceivedMail[] = [];
  /** The endpoint's `whsec_…` secret, known once the endpoint is created. */
  secret = '';

  private constructor(
    private readonly http: Server,
    private readonly smtp: SMTPServer,
  ) {}

  static async start(latencyMs: number): Promise<EventSinks> {
    const smtp = new SMTPServer({ authOptional: true, disabledCommands: ['STARTTLS'], logger: false, size: 10 * 2 ** 20 });
    const http = createServer();
    const sinks = new EventSinks(http, smtp);
    smtp.onData = (stream, session, callback) => {
      let body = '';
      stream.on('data', (d: Buffer) => (body += d.toString()));
      stream.on('end', () => {
        const subject = /^Subject: (.*)$/m.exec(body)?.[1]?.trim() ?? '';
        sinks.mails.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, at: Date.now(), body });
        callback();
      });
    };
    http.on('request', (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const header = (name: string) => (typeof req.headers[name] === 'string' ? (req.headers[name] as string) : undefined);
        const id = header('webhook-id');
        let type = 'unparsable';
        try {
          type = String((JSON.parse(body) as { type?: unknown }).type);
        } catch {
          // counted under 'unparsable'
        }
        const signed = id !== undefined && verifyWebhookSignature(sinks.secret, id, header('webhook-timestamp') ?? '', body, header('webhook-signature') ?? '');
        sinks.deliveries.record({ id, type, signed, at: Date.now() });
        res.statusCode = 204;
        if (latencyMs > 0) setTimeout(() => res.end(), latencyMs);
        else res.end();
      });
    });
    // Listen backlogs as the hub's: a burst of deliveries must not be dropped by the kernel here.
    await new Promise<void>((resolve) => http.listen({ port: 0, host: '127.0.0.1', backlog: 8192 }, resolve));
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', () => resolve()));
    return sinks;
  }

  get webhookUrl(): string {
    return `http://127.0.0.1:${(this.http.address() as AddressInfo).port}/flotilla-events`;
  }

  get smtpUrl(): string {
    return `smtp://127.0.0.1:${(this.smtp.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.http.closeAllConnections();
    await Promise.all([new Promise<void>((resolve) => this.http.close(() => resolve())), new Promise<void>((resolve) => this.smtp.close(() => resolve()))]);
  }
}
