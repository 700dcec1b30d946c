import type { LicenseExpiryPolicy } from '@flotilla/protocol';

/** Pure: does this license, at `now`, stop its customer's deploys and rollouts? */
export function updatesBlockedBy(license: { expires_at: Date | null; on_expiry: LicenseExpiryPolicy }, now: Date): boolean {
  return license.on_expiry === 'block-updates' && license.expires_at !== null && license.expires_at.getTime() <= now.getTime();
}
