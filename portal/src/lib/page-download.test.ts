import { describe, expect, it } from 'vitest';
import { handledLoad, isPageDownloadError, pageDownloadRecovery, PAGE_DOWNLOAD_RETRIES, RELOAD_GUARD_MS } from './page-download';

describe('isPageDownloadError', () => {
  it('recognises failed page downloads in the words of Chromium, Firefox, Safari and Vite', () => {
    expect(isPageDownloadError(new TypeError('Failed to fetch dynamically imported module: http://h/assets/FleetPage-x.js'))).toBe(true);
    expect(isPageDownloadError(new TypeError('error loading dynamically imported module: http://h/assets/FleetPage-x.js'))).toBe(true);
    expect(isPageDownloadError(new TypeError('Importing a module script failed.'))).toBe(true);
    expect(isPageDownloadError(new Error('Unable to preload CSS for http://h/assets/FiringAlerts-y.css'))).toBe(true);
  });

  it('leaves other navigation errors alone', () => {
    expect(isPageDownloadError(new Error('Cannot read properties of undefined'))).toBe(false);
    expect(isPageDownloadError(undefined)).toBe(false);
    expect(isPageDownloadError({ message: 'Failed to fetch dynamically imported module' })).toBe(false);
  });
});

describe('pageDownloadRecovery', () => {
  it('retries in the app with growing pauses, then reloads the page at the target', () => {
    const now = 1_000_000;
    const steps = Array.from({ length: PAGE_DOWNLOAD_RETRIES + 1 }, (_, i) => pageDownloadRecovery(i + 1, null, now));
    expect(steps).toEqual([{ action: 'retry', afterMs: 250 }, { action: 'retry', afterMs: 500 }, { action: 'reload' }]);
  });

  it('does not reload again for a target it reloaded moments ago, but does later', () => {
    const now = 1_000_000;
    expect(pageDownloadRecovery(PAGE_DOWNLOAD_RETRIES + 1, now - 1_000, now)).toEqual({ action: 'give-up' });
    expect(pageDownloadRecovery(PAGE_DOWNLOAD_RETRIES + 1, now - RELOAD_GUARD_MS, now)).toEqual({ action: 'reload' });
  });
});

describe('handledLoad', () => {
  it('leaves no unhandled rejection when nobody waits on a failed load, and still rejects for whoever does', async () => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const failing = () => Promise.reject(new Error('Unable to preload CSS for /assets/Table.css'));
      // The router stopped at another page's failure and never waits on this one.
      void handledLoad(failing)();
      await expect(handledLoad(failing)()).rejects.toThrow(/Unable to preload CSS/);
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
      // Without it, the same load is reported as unhandled (what Chromium showed as a page error).
      void failing();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toHaveLength(1);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });
});
