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

describe('decideNavigation: pages that need a capability', () => {
  const vendorViewer: Membership[] = [{ ...vendorUser[0]!, role: 'viewer' }];
  const customerAdmin: Membership[] = [{ ...customerUser[0]!, role: 'admin' }];

  it('lets admins into users & invites and sends others home', () => {
    expect(decideNavigation({ requiresAuth: true, requires: 'members' }, vendorUser, '/settings/users')).toBe(true);
    expect(decideNavigation({ requiresAuth: true, requires: 'members' }, customerAdmin, '/settings/users')).toBe(true);
    expect(decideNavigation({ requiresAuth: true, requires: 'members' }, vendorViewer, '/settings/users')).toBe('/');
    expect(decideNavigation({ requiresAuth: true, requires: 'members' }, customerUser, '/settings/users')).toBe('/customer');
  });

  it('keeps the audit log for vendor admins', () => {
    expect(decideNavigation({ requiresAuth: true, requires: 'audit' }, vendorUser, '/settings/audit')).toBe(true);
    expect(decideNavigation({ requiresAuth: true, requires: 'audit' }, customerAdmin, '/settings/audit')).toBe('/customer');
    expect(decideNavigation({ requiresAuth: true, requires: 'audit' }, vendorViewer, '/settings/audit')).toBe('/');
  });

  it('keeps the rollout wizard for vendor release managers and admins', () => {
    const releaseManager: Membership[] = [{ ...vendorUser[0]!, role: 'release-manager' }];
    expect(decideNavigation({ requiresAuth: true, area: 'vendor', requires: 'rollouts' }, vendorUser, '/rollouts/new')).toBe(true);
    expect(decideNavigation({ requiresAuth: true, area: 'vendor', requires: 'rollouts' }, releaseManager, '/rollouts/new')).toBe(true);
    expect(decideNavigation({ requiresAuth: true, area: 'vendor', requires: 'rollouts' }, vendorViewer, '/rollouts/new')).toBe('/');
    expect(decideNavigation({ requiresAuth: true, area: 'vendor', requires: 'rollouts' }, customerAdmin, '/rollouts/new')).toBe('/customer');
  });

  it('still sends anonymous users to the login page first', () => {
    expect(decideNavigation({ requiresAuth: true, requires: 'audit' }, null, '/settings/audit')).toBe('/login?redirect=%2Fsettings%2Faudit');
  });

  it('leaves public pages (the invite page) open to everyone', () => {
    expect(decideNavigation({}, null, '/invite/abc')).toBe(true);
    expect(decideNavigation({}, customerUser, '/invite/abc')).toBe(true);
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
