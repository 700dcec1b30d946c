/**
 * A page's code or styles that could not be downloaded: a network blip (seen in CI: Chromium's
 * ERR_NETWORK_CHANGED while a sign-in loaded the fleet page), or a hub upgraded under an open tab
 * (the old asset names are gone). Without recovery the navigation is dropped and the user stays
 * where they were, signed in on the login page.
 */

/** Messages of a failed dynamic import or of Vite's CSS preload, across browsers. */
const DOWNLOAD_FAILURES = [/Failed to fetch dynamically imported module/i, /error loading dynamically imported module/i, /Importing a module script failed/i, /Unable to preload CSS/i];

export function isPageDownloadError(err: unknown): boolean {
  const message = err instanceof Error ? err.message : typeof err === 'string' ? err : '';
  return DOWNLOAD_FAILURES.some((re) => re.test(message));
}

/** In-app retries of one navigation before the whole page is reloaded at its target. */
export const PAGE_DOWNLOAD_RETRIES = 2;
/** A reload for the same target within this long is not tried again (no reload loop). */
export const RELOAD_GUARD_MS = 30_000;

export type PageDownloadRecovery = { action: 'retry'; afterMs: number } | { action: 'reload' } | { action: 'give-up' };

/**
 * What to do after the `failures`-th failed download on the way to a target (1 = the first):
 * retry in the app with a growing pause (a blip is over in a moment), then reload the page at the
 * target (a module whose download failed stays failed for this document, and after an upgrade only a
 * fresh index names the new assets), unless that was done for this target moments ago.
 */
export function pageDownloadRecovery(failures: number, lastReloadAt: number | null, now: number): PageDownloadRecovery {
  if (failures <= PAGE_DOWNLOAD_RETRIES) return { action: 'retry', afterMs: 250 * failures };
  if (lastReloadAt !== null && now - lastReloadAt < RELOAD_GUARD_MS) return { action: 'give-up' };
  return { action: 'reload' };
}

/**
 * A lazy page's loader whose failure is never left unhandled. The router waits on a navigation's
 * loaders one after another and stops at the first that fails (that one reaches router.onError and
 * the recovery above); a nested page loading beside it (the shell and the fleet page of `/`) then
 * rejects with nobody waiting, which the browser reports as an uncaught error. Whoever awaits the
 * returned promise still gets the rejection.
 */
export function handledLoad<T>(load: () => Promise<T>): () => Promise<T> {
  return () => {
    const loading = load();
    loading.catch(() => undefined);
    return loading;
  };
}
