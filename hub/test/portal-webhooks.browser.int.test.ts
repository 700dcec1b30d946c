import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Webhook } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { randomSuffix, waitFor } from './helpers.js';
import { UI_TIMEOUT, signInWithForm, useBrowserSuite } from './browser-helpers.js';

/**
 * Settings → Webhooks in a real Chromium: a vendor admin creates an endpoint (the secret shown once
 * signs what a real receiver on loopback gets), sends a test, redelivers a failed message from the
 * delivery log, edits the event filter, and disables the endpoint.
 */
const suite = useBrowserSuite();

let receiver: Server | undefined;
let receiverUrl: string;
const received: { headers: IncomingHttpHeaders; body: string }[] = [];
let failNext = 0;

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      if (failNext > 0) {
        failNext--;
        res.writeHead(503).end('try later');
      } else res.writeHead(200).end('thanks');
    });
  });
  await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

/** Standard Webhooks, from the spec: v1 = base64 HMAC-SHA256 of `id.timestamp.body`, key = base64 after `whsec_`. */
function signedWith(secret: string, r: { headers: IncomingHttpHeaders; body: string }): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${String(r.headers['webhook-id'])}.${String(r.headers['webhook-timestamp'])}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

describe('Settings → Webhooks', () => {
  it('creates an endpoint, shows its secret once, sends a test, redelivers, edits filters and disables', async () => {
    const api = new ApiClient(suite.hub.url);
    const vendor = await api.signup(randomSuffix());
    const watched = await suite.open('admin');
    const { page } = await signInWithForm(watched, suite.hub.url, vendor.email, vendor.password, '/');

    await page.getByTestId('nav-webhooks').click();
    await page.getByTestId('webhooks-empty').waitFor();
    await page.getByLabel('URL').fill(receiverUrl);
    await page.getByLabel('Description').fill('On-call');
    await page.getByLabel('release.locked').check();
    await page.getByRole('button', { name: 'Create webhook' }).click();
    const secret = (await page.getByTestId('webhook-secret').textContent())?.trim() ?? '';
    expect(secret).toMatch(/^whsec_/);
    const row = page.getByTestId('webhooks-table').getByRole('row', { name: /On-call/ });
    await expect.poll(() => row.getByTestId('events').textContent(), { timeout: UI_TIMEOUT }).toBe('release.locked');

    // A test message reaches the receiver, signed with the secret the page showed.
    const detail = page.getByTestId('webhook-detail');
    await detail.getByRole('button', { name: 'Send test' }).click();
    const first = await waitFor(() => received[0], UI_TIMEOUT, 'the test message');
    expect(JSON.parse(first.body)).toMatchObject({ type: 'webhook.test' });
    expect(signedWith(secret, first)).toBe(true);
    await expect.poll(() => detail.getByTestId('deliveries-table').getByTestId('status').first().textContent(), { timeout: UI_TIMEOUT }).toBe('succeeded');

    // A failed attempt is in the log with the receiver's answer; Redeliver sends the same message again.
    failNext = 1;
    await detail.getByRole('button', { name: 'Send test' }).click();
    const failedRow = detail.getByTestId('deliveries-table').getByRole('row').nth(1);
    await expect.poll(() => failedRow.getByTestId('status').textContent(), { timeout: UI_TIMEOUT }).toBe('failed');
    expect(await failedRow.getByTestId('response').textContent()).toContain('503');
    expect(await failedRow.getByTestId('response').textContent()).toContain('try later');
    await failedRow.getByRole('button', { name: 'Redeliver' }).click();
    await expect.poll(() => failedRow.getByTestId('status').textContent(), { timeout: UI_TIMEOUT }).toBe('succeeded');
    expect(await failedRow.getByTestId('attempts').textContent()).toBe('2');
    expect(received[2]?.headers['webhook-id']).toBe(received[1]?.headers['webhook-id']);

    // Edit the filter, then disable: the hub has both, the page says so, and a test cannot be sent.
    await detail.getByLabel('installation.offline').check();
    await detail.getByRole('button', { name: 'Save' }).click();
    await detail.getByTestId('webhook-notice').filter({ hasText: 'Saved.' }).waitFor();
    await detail.getByRole('button', { name: 'Disable' }).click();
    await expect.poll(() => row.getByTestId('state').textContent(), { timeout: UI_TIMEOUT }).toBe('Disabled');
    expect(await detail.getByRole('button', { name: 'Send test' }).isDisabled()).toBe(true);
    const [hook] = (await api.get<{ items: Webhook[] }>('/webhooks')).body.items;
    expect(hook).toMatchObject({ enabled: false, events: ['release.locked', 'installation.offline'], description: 'On-call' });

    // A reload renders the page from its deep link; the secret is not shown again.
    await page.reload();
    await page.getByTestId('webhooks-table').waitFor();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);
    expect(watched.errors).toEqual([]);
  });
});
