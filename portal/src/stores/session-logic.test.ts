import { describe, expect, it } from 'vitest';
import type { Membership } from '@flotilla/protocol';
import { decideNavigation, homePath, safeRedirect } from './session-logic';

const vendorUser: Membership[] = [{ vendorId: 'v1', vendorName: 'Acme Software', customerId: null, customerName: null, role: 'admin' }];
const customerUser: Membership[] = [{ vendorId: 'v1', vendorName: 'Acme Software', customerId: 'c1', customerName: 'Globex', role: 'viewer' }];

describe('homePath', () => {
  it('sends vendor users to the fleet and customer users to the portal', () => {
    expect(homePath(vendorUser)).toBe('/');
    expect(homePath(customerUser)).toBe('/customer');
    expect(homePath([...customerUser, ...vendorUser])).toBe('/');
    expect(homePath([])).toBe('/');
  });
});

describe('decideNavigation', () => {
  it('sends anonymous users of protected pages to the login page', () => {
    expect(decideNavigation({ requiresAuth: true }, null, '/')).toBe('/login');
    expect(decideNavigation({ requiresAuth: true, area: 'customer' }, null, '/customer?x=1')).toBe('/login?redirect=%2Fcustomer%3Fx%3D1');
    expect(decideNavigation({ guestOnly: true }, null, '/login')).toBe(true);
  });

  it('sends signed-in users away from login and sign-up', () => {
    expect(decideNavigation({ guestOnly: true }, vendorUser, '/login')).toBe('/');
    expect(decideNavigation({ guestOnly: true }, customerUser, '/signup')).toBe('/customer');
  });

  it('keeps customer users out of vendor pages', () => {
    expect(decideNavigation({ requiresAuth: true, area: 'vendor' }, customerUser, '/')).toBe('/customer');
    expect(decideNavigation({ requiresAuth: true, area: 'vendor' }, vendorUser, '/')).toBe(true);
    expect(decideNavigation({ requiresAuth: true, area: 'customer' }, customerUser, '/customer')).toBe(true);
  });
});

describe('safeRedirect', () => {
  it('accepts only in-app paths', () => {
    expect(safeRedirect('/customer')).toBe('/customer');
    expect(safeRedirect('//evil.example')).toBeNull();
    expect(safeRedirect('/\\evil.example')).toBeNull();
    expect(safeRedirect('https://evil.example')).toBeNull();
    expect(safeRedirect(['/a'])).toBeNull();
    expect(safeRedirect(undefined)).toBeNull();
  });
});
