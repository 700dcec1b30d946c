import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { AcceptInviteBody, LoginBody, LoginResponse, MeResponse, Membership, SignupBody, SignupResponse } from '@flotilla/protocol';
import { authApi } from '../api/auth';
import { invitesApi } from '../api/identity';
import { FlotillaError } from '../api/errors';
import { customerMembership, homePath, vendorMembership } from './session-logic';
import { useFleetStore } from './fleet';
import { useLiveStore } from './live';
import { useMembersStore } from './members';
import { useTokensStore } from './tokens';
import { useAuditStore } from './audit';
import { useCatalogStore } from './catalog';
import { useFleetSummaryStore } from './fleet-summary';
import { useRolloutsStore } from './rollouts';
import { useCommandsStore } from './commands';
import { useSupportBundlesStore } from './support-bundles';
import { useBrandStore } from './brand';

/** Who is signed in. The session itself is the hub's httpOnly cookie; this mirrors `GET /me`. */
export const useSessionStore = defineStore('session', () => {
  const me = ref<MeResponse | null>(null);
  const checked = ref(false);
  let checking: Promise<void> | null = null;

  const user = computed(() => me.value?.user ?? null);
  const memberships = computed<Membership[]>(() => me.value?.memberships ?? []);
  const isSignedIn = computed(() => me.value !== null);
  const vendor = computed(() => vendorMembership(memberships.value) ?? null);
  const customer = computed(() => customerMembership(memberships.value) ?? null);
  const vendorName = computed(() => vendor.value?.vendorName ?? customer.value?.vendorName ?? '');
  const home = computed(() => homePath(memberships.value));

  /** `GET /me`; a 401 means nobody is signed in. */
  async function fetchMe(): Promise<void> {
    try {
      me.value = await authApi.me();
    } catch (err) {
      if (err instanceof FlotillaError && err.status === 401) me.value = null;
      else throw err;
    } finally {
      checked.value = true;
    }
  }

  /** Asks the hub once per page load; later navigations reuse the answer. */
  function ensureChecked(): Promise<void> {
    if (checked.value) return Promise.resolve();
    checking ??= fetchMe().finally(() => {
      checking = null;
    });
    return checking;
  }

  async function login(body: LoginBody): Promise<void> {
    me.value = await authApi.login(body);
    checked.value = true;
  }

  /**
   * Accepts an invite: the hub signs the invited account in (replacing any session this browser had),
   * so whatever the previous user had loaded is dropped first.
   */
  async function acceptInvite(token: string, body: AcceptInviteBody): Promise<LoginResponse> {
    const res = await invitesApi.accept(token, body);
    forget();
    me.value = res;
    return res;
  }

  /** Signs up; on a hub with SMTP returns the address the link to finish went to (no one is signed in yet). */
  async function signup(body: SignupBody): Promise<{ confirmAt: string } | undefined> {
    const answer = await authApi.signup(body);
    if ('confirmBy' in answer) return { confirmAt: answer.email };
    await signedUp(answer);
    return undefined;
  }

  /** Finishes a sign-up from its mailed link. */
  async function confirmSignup(token: string): Promise<void> {
    await signedUp(await authApi.confirmSignup(token));
  }

  async function signedUp(created: SignupResponse): Promise<void> {
    me.value = {
      user: created.user,
      memberships: [{ vendorId: created.vendor.id, vendorName: created.vendor.name, customerId: null, customerName: null, role: 'admin' }],
    };
    checked.value = true;
    // The hub's own view of the memberships wins when it answers.
    await fetchMe().catch(() => undefined);
  }

  /** Ends the session at the hub (best effort) and forgets everything user-specific. */
  async function logout(): Promise<void> {
    try {
      await authApi.logout();
    } finally {
      forget();
    }
  }

  /** Drops local state, e.g. after the hub answered 401 (session expired). */
  function forget(): void {
    useLiveStore().stop();
    useFleetStore().reset();
    useMembersStore().reset();
    useTokensStore().reset();
    useAuditStore().reset();
    useCatalogStore().reset();
    useFleetSummaryStore().reset();
    useRolloutsStore().reset();
    useCommandsStore().reset();
    useSupportBundlesStore().reset();
    useBrandStore().reset();
    me.value = null;
    checked.value = true;
  }

  return { me, checked, user, memberships, isSignedIn, vendor, customer, vendorName, home, fetchMe, ensureChecked, login, acceptInvite, signup, confirmSignup, logout, forget };
});
