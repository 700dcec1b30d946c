import { defineStore } from 'pinia';
import { computed, ref } from 'vue';
import type { CreateInviteBody, CreatedInvite, Customer, Invite, Member } from '@flotilla/protocol';
import { customersApi, invitesApi, membersApi } from '../api/identity';
import { errorMessage } from '../api/errors';
import { replaceMember, sortMembers, withoutMember } from '../lib/members';
import type { Role } from '../lib/roles';

/** Users & invites of the caller's organisation (`GET /users`, `GET /invites`), for admins. */
export const useMembersStore = defineStore('members', () => {
  const members = ref<Member[]>([]);
  const invites = ref<Invite[]>([]);
  /** The vendor's customers (vendor admins only): names for the tables, choices for the invite form. */
  const customers = ref<Customer[]>([]);
  const loaded = ref(false);
  const loading = ref(false);
  const error = ref<string | null>(null);

  const sortedMembers = computed(() => sortMembers(members.value, customers.value));

  /** Loads members and pending invites, and the customers when the caller is a vendor user. */
  async function load(withCustomers: boolean): Promise<void> {
    loading.value = true;
    try {
      const [m, i, c] = await Promise.all([membersApi.list(), invitesApi.list(), withCustomers ? customersApi.all() : Promise.resolve([])]);
      members.value = m;
      invites.value = i;
      customers.value = c;
      loaded.value = true;
      error.value = null;
    } catch (err) {
      error.value = errorMessage(err);
    } finally {
      loading.value = false;
    }
  }

  /** Creates the invite; the answer carries the URL to share (shown once, not kept in the list). */
  async function invite(body: CreateInviteBody): Promise<CreatedInvite> {
    const created = await invitesApi.create(body);
    const { inviteUrl: _url, mailed: _mailed, ...pending } = created;
    invites.value = [pending, ...invites.value.filter((i) => i.id !== created.id)];
    return created;
  }

  async function revokeInvite(id: string): Promise<void> {
    await invitesApi.revoke(id);
    invites.value = invites.value.filter((i) => i.id !== id);
  }

  async function changeRole(member: Member, role: Role): Promise<void> {
    const updated = await membersApi.update(member.userId, { role, ...(member.customerId ? { customerId: member.customerId } : {}) });
    members.value = replaceMember(members.value, updated);
  }

  async function remove(member: Member): Promise<void> {
    await membersApi.remove(member.userId, member.customerId ?? undefined);
    members.value = withoutMember(members.value, member);
  }

  function reset(): void {
    members.value = [];
    invites.value = [];
    customers.value = [];
    loaded.value = false;
    error.value = null;
  }

  return { members, invites, customers, loaded, loading, error, sortedMembers, load, invite, revokeInvite, changeRole, remove, reset };
});
