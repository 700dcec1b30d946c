import type { Customer, Member } from '@flotilla/protocol';

/** A membership is one user in one organisation: the vendor team, or one customer. */
export function memberKey(m: Pick<Member, 'userId' | 'customerId'>): string {
  return `${m.userId}:${m.customerId ?? ''}`;
}

/** The list with `updated` in place of the membership it updates (same user, same organisation). */
export function replaceMember(list: readonly Member[], updated: Member): Member[] {
  const key = memberKey(updated);
  return list.map((m) => (memberKey(m) === key ? updated : m));
}

export function withoutMember(list: readonly Member[], gone: Pick<Member, 'userId' | 'customerId'>): Member[] {
  const key = memberKey(gone);
  return list.filter((m) => memberKey(m) !== key);
}

export const VENDOR_TEAM = 'Vendor team';

/** Where a membership or invite belongs: the vendor team, or the customer's name (id if unknown). */
export function organisationLabel(customerId: string | null, customers: readonly Pick<Customer, 'id' | 'name'>[]): string {
  if (customerId === null) return VENDOR_TEAM;
  return customers.find((c) => c.id === customerId)?.name ?? customerId;
}

/** Vendor team first, then customers by name, then by email within each. */
export function sortMembers(list: readonly Member[], customers: readonly Pick<Customer, 'id' | 'name'>[]): Member[] {
  const org = (m: Member) => (m.customerId === null ? '' : `1${organisationLabel(m.customerId, customers).toLowerCase()}`);
  return [...list].sort((a, b) => org(a).localeCompare(org(b)) || a.email.localeCompare(b.email));
}
