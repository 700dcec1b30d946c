import { createRouter, createWebHistory, type RouteRecordRaw, type Router } from 'vue-router';
import { useSessionStore } from './stores/session';
import { useBrandStore } from './stores/brand';
import { decideNavigation, type Area, type Capability } from './stores/session-logic';
import { handledLoad, isPageDownloadError, pageDownloadRecovery } from './lib/page-download';
import { pageDownloadFailure } from './composables/page-download-failure';

declare module 'vue-router' {
  interface RouteMeta {
    requiresAuth?: boolean;
    guestOnly?: boolean;
    area?: Area;
    /** A capability beyond being signed in; without it the guard sends the user home. */
    requires?: Capability;
    title?: string;
    /** Only on the hub's own host names (a vendor's domain is for its customers: no vendor sign-up). */
    hubOnly?: boolean;
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('./pages/LoginPage.vue'), meta: { guestOnly: true, title: 'Sign in' } },
  { path: '/signup', name: 'signup', component: () => import('./pages/SignupPage.vue'), meta: { guestOnly: true, hubOnly: true, title: 'Create account' } },
  // Public: the link a sign-up mails on a hub with SMTP.
  { path: '/signup/confirm/:token', name: 'signup-confirm', component: () => import('./pages/SignupConfirmPage.vue'), meta: { hubOnly: true, title: 'Create account' } },
  // Public: the link from an invite email; works signed out or signed in (it then switches account).
  { path: '/invite/:token', name: 'invite', component: () => import('./pages/InvitePage.vue'), meta: { title: 'Accept invitation' } },
  {
    path: '/',
    component: () => import('./components/AppShell.vue'),
    meta: { requiresAuth: true },
    children: [
      { path: '', name: 'fleet', component: () => import('./pages/vendor/FleetPage.vue'), meta: { area: 'vendor', title: 'Fleet' } },
      { path: 'applications', name: 'applications', component: () => import('./pages/vendor/ApplicationsPage.vue'), meta: { area: 'vendor', title: 'Applications' } },
      { path: 'applications/:id', name: 'application', component: () => import('./pages/vendor/ApplicationPage.vue'), meta: { area: 'vendor', title: 'Application' } },
      { path: 'tracks', name: 'tracks', component: () => import('./pages/vendor/TracksPage.vue'), meta: { area: 'vendor', title: 'Release tracks' } },
      { path: 'tracks/:id', name: 'track', component: () => import('./pages/vendor/TrackPage.vue'), meta: { area: 'vendor', title: 'Release track' } },
      { path: 'releases/:id', name: 'release', component: () => import('./pages/vendor/ReleaseEditorPage.vue'), meta: { area: 'vendor', title: 'Release' } },
      { path: 'rollouts', name: 'rollouts', component: () => import('./pages/vendor/RolloutsPage.vue'), meta: { area: 'vendor', title: 'Rollouts' } },
      {
        path: 'rollouts/new',
        name: 'rollout-new',
        component: () => import('./pages/vendor/RolloutWizardPage.vue'),
        meta: { area: 'vendor', requires: 'rollouts', title: 'New rollout' },
      },
      { path: 'rollouts/:id', name: 'rollout', component: () => import('./pages/vendor/RolloutPage.vue'), meta: { area: 'vendor', title: 'Rollout' } },
      { path: 'customers', name: 'customers', component: () => import('./pages/vendor/CustomersPage.vue'), meta: { area: 'vendor', title: 'Customers' } },
      { path: 'customers/:id', name: 'customer', component: () => import('./pages/vendor/CustomerPage.vue'), meta: { area: 'vendor', title: 'Customer' } },
      {
        path: 'installations/new',
        name: 'installation-new',
        component: () => import('./pages/vendor/NewInstallationPage.vue'),
        meta: { area: 'vendor', title: 'New installation' },
      },
      // Vendor and customer users alike: the hub scopes what each may see and do.
      { path: 'installations/:id', name: 'installation', component: () => import('./pages/InstallationPage.vue'), props: true, meta: { title: 'Installation' } },
      {
        path: 'customer/installations/new',
        name: 'customer-installation-new',
        component: () => import('./pages/customer/CustomerNewInstallationPage.vue'),
        meta: { area: 'customer', title: 'New installation' },
      },
      {
        path: 'customer/releases',
        name: 'customer-releases',
        component: () => import('./pages/customer/CustomerReleasesPage.vue'),
        meta: { area: 'customer', title: 'Release notes' },
      },
      {
        path: 'customer',
        name: 'customer-home',
        component: () => import('./pages/customer/CustomerHomePage.vue'),
        meta: { area: 'customer', title: 'Your installations' },
      },
      { path: 'settings', redirect: '/settings/tokens' },
      {
        path: 'settings/users',
        name: 'settings-users',
        component: () => import('./pages/settings/UsersPage.vue'),
        meta: { requires: 'members', title: 'Users & invites' },
      },
      {
        path: 'settings/branding',
        name: 'settings-branding',
        component: () => import('./pages/settings/BrandingPage.vue'),
        meta: { area: 'vendor', requires: 'branding', title: 'Branding' },
      },
      {
        path: 'settings/webhooks',
        name: 'settings-webhooks',
        component: () => import('./pages/settings/WebhooksPage.vue'),
        meta: { requires: 'webhooks', title: 'Webhooks' },
      },
      {
        path: 'settings/alerts',
        name: 'settings-alerts',
        component: () => import('./pages/settings/AlertsPage.vue'),
        meta: { area: 'vendor', requires: 'alert-rules', title: 'Alerts' },
      },
      // Every signed-in user: their own e-mail notifications.
      { path: 'settings/notifications', name: 'settings-notifications', component: () => import('./pages/settings/NotificationsPage.vue'), meta: { title: 'Notifications' } },
      { path: 'settings/tokens', name: 'settings-tokens', component: () => import('./pages/settings/TokensPage.vue'), meta: { title: 'API tokens' } },
      {
        path: 'settings/audit',
        name: 'settings-audit',
        component: () => import('./pages/settings/AuditPage.vue'),
        meta: { requires: 'audit', title: 'Audit log' },
      },
    ],
  },
  { path: '/:pathMatch(.*)*', redirect: '/' },
];

/** Every lazy page's loader made safe to leave unawaited (lib/page-download's handledLoad). */
function withHandledLoads(records: RouteRecordRaw[]): RouteRecordRaw[] {
  return records.map((r) => {
    const component = 'component' in r && typeof r.component === 'function' ? { component: handledLoad(r.component as () => Promise<never>) } : {};
    const children = r.children ? { children: withHandledLoads(r.children) } : {};
    return { ...r, ...component, ...children } as RouteRecordRaw;
  });
}

export function createAppRouter(): Router {
  const router = createRouter({ history: createWebHistory('/'), routes: withHandledLoads(routes) });

  router.beforeEach(async (to) => {
    const session = useSessionStore();
    const brand = useBrandStore();
    try {
      await Promise.all([session.ensureChecked(), brand.ensureHost()]);
    } catch {
      // The hub is unreachable: let public pages render; protected ones go to the login page.
    }
    if (to.meta.hubOnly && brand.onVendorDomain) return '/login';
    // Customers see their vendor on the hub's own host names too.
    if (session.isSignedIn && !session.vendor && session.customer && !brand.onVendorDomain && !brand.customersVendor) await brand.loadCustomersVendor();
    return decideNavigation(to.meta, session.isSignedIn ? session.memberships : null, to.fullPath);
  });

  recoverFailedPageDownloads(router);
  return router;
}

/** Retries a navigation whose page could not be downloaded, then reloads at its target (lib/page-download). */
function recoverFailedPageDownloads(router: Router): void {
  const failures = new Map<string, number>();
  router.afterEach((to, _from, failure) => {
    if (failure) return;
    failures.delete(to.fullPath);
    pageDownloadFailure.value = null;
  });
  router.onError((err, to) => {
    if (!isPageDownloadError(err)) return;
    const n = (failures.get(to.fullPath) ?? 0) + 1;
    failures.set(to.fullPath, n);
    const key = `flotilla:page-reload:${to.fullPath}`;
    const last = Number(sessionStorage.getItem(key) ?? Number.NaN);
    const next = pageDownloadRecovery(n, Number.isFinite(last) ? last : null, Date.now());
    if (next.action === 'retry') setTimeout(() => void router.push(to.fullPath), next.afterMs);
    else if (next.action === 'reload') {
      sessionStorage.setItem(key, String(Date.now()));
      window.location.assign(to.fullPath);
    } else pageDownloadFailure.value = to.fullPath;
  });
}
