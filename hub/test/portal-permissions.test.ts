import { describe, expect, it } from 'vitest';
import type { Membership } from '@flotilla/protocol';
import { ROUTES } from '../src/http/route-access.js';
import { CUSTOMER_ROLES, VENDOR_ROLES, decide } from '../src/domain/access/roles.js';
import * as protocol from '@flotilla/protocol';
import { PERMISSIONS, grantableRoles, may, type PermissionName } from '../../portal/src/lib/roles.js';

/** The portal's permission checks against the hub's role matrix: same rules, same ladders, same answers. */
const vendor = (role: string): Membership => ({ vendorId: 'v1', vendorName: 'V', customerId: null, customerName: null, role });
const customer = (role: string): Membership => ({ vendorId: 'v1', vendorName: 'V', customerId: 'c1', customerName: 'C', role });
/** Every shape of membership list a user can have: none, a vendor role, a customer role, or both. */
const CASES: Membership[][] = [
  [],
  ...VENDOR_ROLES.map((r) => [vendor(r)]),
  ...CUSTOMER_ROLES.map((r) => [customer(r)]),
  ...VENDOR_ROLES.flatMap((v) => CUSTOMER_ROLES.map((c) => [customer(c), vendor(v)])),
];

describe('portal permissions vs the hub role matrix', () => {
  it('the role ladders are one definition, weakest first', () => {
    expect(VENDOR_ROLES).toBe(protocol.VENDOR_ROLES);
    expect(CUSTOMER_ROLES).toBe(protocol.CUSTOMER_ROLES);
    expect(VENDOR_ROLES).toEqual(['viewer', 'release-manager', 'admin']);
  });

  it.each(Object.keys(PERMISSIONS) as PermissionName[])('%s: the portal uses its route’s rule from the matrix, and decides as the hub does', (name) => {
    const { route, access } = PERMISSIONS[name];
    expect(route in ROUTES, `${route} is in the role matrix`).toBe(true);
    expect(access).toEqual(ROUTES[route as keyof typeof ROUTES].access);
    for (const memberships of CASES) {
      expect(may(memberships, name), JSON.stringify(memberships)).toBe(decide(ROUTES[route as keyof typeof ROUTES].access, memberships).allowed);
    }
  });

  it('role pickers list the strongest role first', () => {
    expect(grantableRoles(vendor('admin'), false)).toEqual(['admin', 'release-manager', 'viewer']);
    expect(grantableRoles(vendor('release-manager'), false)).toEqual(['release-manager', 'viewer']);
    expect(grantableRoles(customer('admin'), true)).toEqual(['admin', 'viewer']);
  });
});
