import { describe, expect, it } from 'vitest';
import type { NotificationPreferences } from '@flotilla/protocol';
import { ApiClient } from './api-client.js';
import { randomSuffix } from './helpers.js';
import { UI_TIMEOUT, shot, signInWithForm, useBrowserSuite } from './browser-helpers.js';

/** Settings → Notifications: a user sees their kind's events, a bad delay is refused on the form, a good choice is saved. */
const suite = useBrowserSuite();

describe('notification settings in the portal', () => {
  it('show the vendor events, refuse a zero delay and save the choice', async () => {
    const api = new ApiClient(suite.hub.url);
    const vendor = await api.signup(randomSuffix());
    const watched = await signInWithForm(await suite.open('notifications'), suite.hub.url, vendor.email, vendor.password, '/');
    const { page } = watched;
    await page.getByTestId('nav-notifications').click();
    const offline = page.getByLabel('An installation is offline for longer than the delay below');
    await offline.waitFor({ timeout: UI_TIMEOUT });
    expect(await offline.isChecked()).toBe(false);
    expect(await page.getByLabel('An alert fires').isChecked()).toBe(true);
    expect(await page.getByLabel('An update waits for your approval').count()).toBe(0);

    await offline.check();
    await page.getByLabel('Offline delay (minutes)').fill('0');
    await page.getByRole('button', { name: 'Save notifications' }).click();
    await expect.poll(() => page.getByTestId('notifications-error').textContent(), { timeout: UI_TIMEOUT }).toMatch(/Offline delay/);
    await page.getByLabel('Offline delay (minutes)').fill('5');
    await page.getByLabel('An alert resolves').uncheck();
    await page.getByRole('button', { name: 'Save notifications' }).click();
    await page.getByTestId('notifications-saved').waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'settings-notifications');
    const saved = (await api.get<NotificationPreferences>('/me/notification-preferences')).body;
    expect(saved).toMatchObject({ email: true, offlineMinutes: 5 });
    expect(saved.events).toContain('installation.offline');
    expect(saved.events).not.toContain('alert.resolved');
    expect(watched.errors).toEqual([]);
  });
});
