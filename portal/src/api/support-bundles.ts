import type { CreateSupportBundleBody } from '@flotilla/protocol';
import { supportBundleDownloadHref } from '@flotilla/sdk/client';
import { hub } from './hub';

/** Support bundles of an installation, and a customer's rule for approving them. */
export const supportBundlesApi = {
  list: (installationId: string) => hub.request('GET /installations/:id/support-bundles', { params: { id: installationId } }),
  get: (id: string) => hub.request('GET /support-bundles/:id', { params: { id } }),
  create: (installationId: string, body: CreateSupportBundleBody) => hub.request('POST /installations/:id/support-bundles', { params: { id: installationId }, body }),
  approve: (id: string) => hub.request('POST /support-bundles/:id/approve', { params: { id } }),
  reject: (id: string, reason?: string) => hub.request('POST /support-bundles/:id/reject', { params: { id }, body: reason ? { reason } : {} }),
  policy: (customerId: string) => hub.request('GET /customers/:id/support-bundle-policy', { params: { id: customerId } }),
  setPolicy: (customerId: string, requireApproval: boolean) => hub.request('PUT /customers/:id/support-bundle-policy', { params: { id: customerId }, body: { requireApproval } }),
  /** Same-origin link to the archive (the browser sends the session cookie and saves the file). */
  downloadHref: (id: string) => supportBundleDownloadHref('', id),
};
