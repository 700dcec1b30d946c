/// <reference lib="dom" />
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import type { BundleCollect, BundleManifest } from '@flotilla/protocol';
import { deployedInstallation } from './api-client.js';
import { randomSuffix, waitFor } from './helpers.js';
import { shot, signInWithForm, useBrowserSuite } from './browser-helpers.js';
import { join, PASSWORD, Session } from './identity-helpers.js';
import { connectAgent, host, type AgentSocket } from './sim-agent.js';

/**
 * Support bundles in a real browser, vendor and customer side by side. The customer's admin turns on
 * "Require approval for support bundles"; the vendor asks for a bundle, which waits; the customer's
 * admin sees it live and approves it; a simulated agent streams the archive; the vendor sees it
 * ready, opens "What was collected" and downloads the archive (the same bytes the agent sent).
 */

const suite = useBrowserSuite();

let agent: AgentSocket | undefined;

afterAll(async () => {
  agent?.disconnect();
});

const ARCHIVE = Buffer.from('a gzip archive, as far as the hub and the browser care');

function manifestOf(request: BundleCollect, installationId: string): BundleManifest {
  return {
    bundleId: request.bundleId,
    installationId,
    createdAt: new Date().toISOString(),
    agentKind: 'compose',
    agentVersion: '0.1.0-test',
    logLines: request.logLines,
    redactPatterns: request.redactPatterns,
    secretValues: 2,
    files: [
      { path: 'agent/state.json', bytes: 2048, description: "The agent's local state: applied revision, component specs, failures", redactions: 3 },
      { path: 'logs/shop.log', bytes: 51_200, description: 'The last 500 log lines of each workload of "shop"', redactions: 1 },
    ],
    problems: [],
  };
}

describe('support bundles in the portal', () => {
  it('the customer requires approval, approves the vendor’s bundle live, and the vendor downloads it', { timeout: 120_000 }, async () => {
    const base = suite.hub.url;
    const admin = new Session(base, []);
    const signedUp = await admin.signup(randomSuffix());
    const { customerId, installationId, creds } = await deployedInstallation(admin);
    const customerAdmin = await join(admin, 'admin', customerId);

    const requests: BundleCollect[] = [];
    const sim = await connectAgent(base, creds.agentId, creds.secret);
    agent = sim;
    sim.on('bundle:collect', (request, ack) => {
      requests.push(request);
      ack({ accepted: true });
      // Streams after a moment, so the page shows "Collecting" first.
      setTimeout(() => {
        void (async () => {
          await sim.emitWithAck('bundle:chunk', { bundleId: request.bundleId, seq: 0, data: ARCHIVE.toString('base64') });
          await sim.emitWithAck('bundle:end', { bundleId: request.bundleId, sha256: createHash('sha256').update(ARCHIVE).digest('hex'), bytes: ARCHIVE.length, chunks: 1, manifest: manifestOf(request, installationId) });
        })();
      }, 1500);
    });
    await sim.emitWithAck('agent:hello', { host, appliedRevision: 1, components: [{ name: 'shop', version: '1.0.0', health: 'healthy', since: new Date().toISOString() }] });

    // The customer's admin requires approval.
    const customer = await signInWithForm(await suite.open('customer'), base, customerAdmin.email, PASSWORD, '/customer');
    const requireApproval = customer.page.getByRole('checkbox', { name: 'Require approval for support bundles' });
    await requireApproval.check();
    await waitFor(async () => ((await admin.get<{ requireApproval: boolean }>(`/customers/${customerId}/support-bundle-policy`)).body.requireApproval ? true : undefined), 10_000, 'policy saved');
    await shot(customer.page, 'customer-support-bundle-policy');
    await customer.page.goto(`${base}/installations/${installationId}`);
    await customer.page.getByRole('heading', { name: 'Support bundles' }).waitFor();

    // The vendor asks; the bundle waits for the customer.
    const vendor = await signInWithForm(await suite.open('vendor'), base, signedUp.email, signedUp.password, '/');
    await vendor.page.goto(`${base}/installations/${installationId}`);
    await vendor.page.getByRole('button', { name: 'Collect support bundle' }).click();
    const vendorTable = vendor.page.getByTestId('support-bundles');
    await vendorTable.getByText('Awaiting approval').waitFor();
    expect(await vendor.page.getByRole('button', { name: 'Approve' }).count()).toBe(0); // only the customer approves
    await shot(vendor.page, 'vendor-support-bundle-awaiting-approval');

    // The customer sees it live and approves it.
    const customerTable = customer.page.getByTestId('support-bundles');
    await customerTable.getByText('Awaiting approval').waitFor();
    await shot(customer.page, 'customer-support-bundle-approve');
    await customerTable.getByRole('button', { name: 'Approve' }).click();
    await customerTable.getByText(/^(Collecting|Ready)$/).waitFor();

    // The vendor's page follows: collecting, then ready; what was collected; the download.
    await vendorTable.getByText('Ready').waitFor();
    expect(requests).toHaveLength(1);
    await vendorTable.getByRole('button', { name: 'What was collected' }).click();
    const files = vendorTable.getByTestId('support-bundle-file');
    await files.first().waitFor();
    expect(await files.allTextContents()).toEqual([expect.stringContaining('agent/state.json') as string, expect.stringContaining('logs/shop.log') as string]);
    expect(await vendorTable.textContent()).toContain('The last 500 log lines of each workload of "shop"');
    await shot(vendor.page, 'vendor-support-bundle-ready');
    const [download] = await Promise.all([vendor.page.waitForEvent('download'), vendorTable.getByRole('link', { name: 'Download' }).click()]);
    expect(download.suggestedFilename()).toMatch(/^support-bundle-edge-1-.+\.tar\.gz$/);
    const saved = await download.path();
    expect((await readFile(saved)).equals(ARCHIVE)).toBe(true);
    expect(vendor.errors).toEqual([]);
    expect(customer.errors).toEqual([]);
  });
});
