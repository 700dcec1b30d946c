import { describe, expect, it } from 'vitest';
import type { Member } from '@flotilla/protocol';
import { memberKey, organisationLabel, replaceMember, sortMembers, withoutMember } from './members';
import { T0 } from '../testing/fixtures';

const member = (userId: string, email: string, customerId: string | null = null, role = 'viewer'): Member => ({
  userId,
  email,
  name: email.split('@')[0] ?? email,
  role,
  vendorId: 'v1',
  customerId,
  since: T0,
});
const customers = [
  { id: 'c1', name: 'Zeta' },
  { id: 'c2', name: 'Alpha' },
];

describe('members', () => {
  it('keys a membership by user and organisation', () => {
    expect(memberKey(member('u1', 'a@x'))).toBe('u1:');
    expect(memberKey(member('u1', 'a@x', 'c1'))).toBe('u1:c1');
  });

  it('replaces and removes only the same membership', () => {
    const both = [member('u1', 'a@x'), member('u1', 'a@x', 'c1')];
    const updated = replaceMember(both, member('u1', 'a@x', 'c1', 'admin'));
    expect(updated.map((m) => m.role)).toEqual(['viewer', 'admin']);
    expect(withoutMember(both, { userId: 'u1', customerId: 'c1' })).toEqual([both[0]]);
  });

  it('labels the organisation', () => {
    expect(organisationLabel(null, customers)).toBe('Vendor team');
    expect(organisationLabel('c2', customers)).toBe('Alpha');
    expect(organisationLabel('c9', customers)).toBe('c9');
  });

  it('sorts the vendor team first, then customers by name, then by email', () => {
    const sorted = sortMembers([member('u1', 'z@x', 'c1'), member('u2', 'b@x', 'c2'), member('u3', 'y@x'), member('u4', 'a@x', 'c2'), member('u5', 'c@x')], customers);
    expect(sorted.map((m) => m.userId)).toEqual(['u5', 'u3', 'u4', 'u2', 'u1']);
  });
});
