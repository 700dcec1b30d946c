import type { SupportBundleStatus } from '@flotilla/protocol';

/** Statuses after which a support bundle does not change any more. */
export const FINISHED_BUNDLE_STATUSES: ReadonlySet<SupportBundleStatus> = new Set(['ready', 'failed', 'rejected']);
