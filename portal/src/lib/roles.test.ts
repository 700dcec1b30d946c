import { describe, expect, it } from 'vitest';
import type { Membership } from '@flotilla/protocol';
import {
  actingMembership,
  canConnectAgents,
  canEditApplications,
  canEditReleases,
  canInstallReleases,
  canManageCustomers,
  canManageEntitlements,
  canManageInstallations,
  canManageMembers,
  canViewAudit,
  grantableRoles,
  isVendorActor,
  navLinks,
  roleLabel,
  tokenRoles,
} from './roles';

const vendor = (role: string): Membership => ({ vendorId: 'v1', vendorName: 'Acme Software', customerId: null, customerName: null, role });
const customer = (role: string, customerId = 'c1'): Membership => ({ vendorId: 'v1', vendorName: 'Acme Software', customerId, customerName: 'Globex', role });

describe('actingMembership', () => {
  it('prefers the vendor membership, like the hub', () => {
    expect(actingMembership([customer('admin'), vendor('viewer')])).toEqual(vendor('viewer'));
    expect(actingMembership([customer('viewer')])).toEqual(customer('viewer'));
    expect(actingMembership([])).toBeUndefined();
  });
});

describe('capabilities', () => {
  it('lets vendor admins and customer admins manage members', () => {
    expect(canManageMembers([vendor('admin')])).toBe(true);
    expect(canManageMembers([customer('admin')])).toBe(true);
    expect(canManageMembers([vendor('release-manager')])).toBe(false);
    expect(canManageMembers([vendor('viewer')])).toBe(false);
    expect(canManageMembers([customer('viewer')])).toBe(false);
    // The hub acts through the vendor membership: a vendor viewer who is also a customer admin may not.
    expect(canManageMembers([customer('admin'), vendor('viewer')])).toBe(false);
    expect(canManageMembers([])).toBe(false);
  });

  it('shows the audit log to vendor admins only', () => {
    expect(canViewAudit([vendor('admin')])).toBe(true);
    expect(canViewAudit([vendor('release-manager')])).toBe(false);
    expect(canViewAudit([customer('admin')])).toBe(false);
    expect(canViewAudit([])).toBe(false);
  });

  it('knows vendor actors', () => {
    expect(isVendorActor([vendor('viewer')])).toBe(true);
    expect(isVendorActor([customer('admin')])).toBe(false);
    expect(isVendorActor([])).toBe(false);
  });
});

describe('grantableRoles (mirrors the hub mayGrant)', () => {
  it('vendor admins grant every vendor role, and customer roles to a customer', () => {
    expect(grantableRoles(vendor('admin'), false)).toEqual(['admin', 'release-manager', 'viewer']);
    expect(grantableRoles(vendor('admin'), true)).toEqual(['admin', 'viewer']);
  });

  it('nobody grants above their own role', () => {
    expect(grantableRoles(vendor('release-manager'), false)).toEqual(['release-manager', 'viewer']);
    expect(grantableRoles(vendor('release-manager'), true)).toEqual([]);
    expect(grantableRoles(vendor('viewer'), false)).toEqual(['viewer']);
  });

  it('customer admins grant customer roles in their own customer only', () => {
    expect(grantableRoles(customer('admin'), true)).toEqual(['admin', 'viewer']);
    expect(grantableRoles(customer('admin'), false)).toEqual([]);
    expect(grantableRoles(customer('viewer'), true)).toEqual(['viewer']);
  });

  it('grants nothing for unknown roles or no membership', () => {
    expect(grantableRoles(vendor('owner'), false)).toEqual([]);
    expect(grantableRoles(undefined, false)).toEqual([]);
  });
});

describe('tokenRoles', () => {
  it('offers the own role and below on the right ladder', () => {
    expect(tokenRoles(vendor('admin'))).toEqual(['admin', 'release-manager', 'viewer']);
    expect(tokenRoles(vendor('release-manager'))).toEqual(['release-manager', 'viewer']);
    expect(tokenRoles(customer('admin'))).toEqual(['admin', 'viewer']);
    expect(tokenRoles(customer('viewer'))).toEqual(['viewer']);
    expect(tokenRoles(undefined)).toEqual([]);
  });
});

describe('navLinks', () => {
  const ids = (m: Membership[]) => navLinks(m).map((l) => l.testId);

  it('gives vendor admins every page', () => {
    expect(ids([vendor('admin')])).toEqual(['nav-fleet', 'nav-applications', 'nav-tracks', 'nav-rollouts', 'nav-customers', 'nav-users', 'nav-branding', 'nav-webhooks', 'nav-alerts', 'nav-notifications', 'nav-tokens', 'nav-audit']);
  });

  it('hides admin pages from other vendor roles', () => {
    expect(ids([vendor('release-manager')])).toEqual(['nav-fleet', 'nav-applications', 'nav-tracks', 'nav-rollouts', 'nav-customers', 'nav-alerts', 'nav-notifications', 'nav-tokens']);
    expect(ids([vendor('viewer')])).toEqual(['nav-fleet', 'nav-applications', 'nav-tracks', 'nav-rollouts', 'nav-customers', 'nav-alerts', 'nav-notifications', 'nav-tokens']);
  });

  it('gives customer users their portal, and users to customer admins, never the fleet or audit', () => {
    expect(ids([customer('admin')])).toEqual(['nav-customer', 'nav-customer-releases', 'nav-users', 'nav-webhooks', 'nav-notifications', 'nav-tokens']);
    expect(ids([customer('viewer')])).toEqual(['nav-customer', 'nav-customer-releases', 'nav-notifications', 'nav-tokens']);
    expect(navLinks([customer('viewer')])[0]).toMatchObject({ to: '/customer', label: 'Installations' });
  });

  it('shows both areas to users of both', () => {
    expect(navLinks([vendor('viewer'), customer('viewer')]).map((l) => l.label)).toEqual(['Fleet', 'Applications', 'Releases', 'Rollouts', 'Customers', 'Customer portal', 'Alerts', 'Notifications', 'API tokens']);
  });

  it('sets the settings pages apart from the daily work', () => {
    expect(navLinks([vendor('admin')]).filter((l) => l.settings).map((l) => l.testId)).toEqual(['nav-users', 'nav-branding', 'nav-webhooks', 'nav-alerts', 'nav-notifications', 'nav-tokens', 'nav-audit']);
  });

  it('has nothing for nobody', () => {
    expect(navLinks([])).toEqual([]);
  });
});

describe('release permissions', () => {
  it('lets vendor admins and release managers edit releases, nobody else', () => {
    expect(canEditReleases([vendor('admin')])).toBe(true);
    expect(canEditReleases([vendor('release-manager')])).toBe(true);
    expect(canEditReleases([vendor('viewer')])).toBe(false);
    expect(canEditReleases([customer('admin')])).toBe(false);
    expect(canEditReleases([customer('admin'), vendor('release-manager')])).toBe(true);
  });

  it('lets only vendor admins manage entitlements', () => {
    expect(canManageEntitlements([vendor('admin')])).toBe(true);
    expect(canManageEntitlements([vendor('release-manager')])).toBe(false);
    expect(canManageEntitlements([customer('admin')])).toBe(false);
  });

  it('lets release managers edit applications, only vendor admins customers, and vendor or customer admins installations (as the route matrix)', () => {
    expect(canEditApplications([vendor('release-manager')])).toBe(true);
    expect(canEditApplications([vendor('viewer')])).toBe(false);
    expect(canEditApplications([customer('admin')])).toBe(false);
    for (const can of [canManageCustomers, canManageInstallations]) {
      expect(can([vendor('admin')])).toBe(true);
      expect(can([vendor('release-manager')])).toBe(false);
    }
    expect(canManageCustomers([customer('admin')])).toBe(false);
    // Customer admins serve themselves (within the limits their vendor set).
    expect(canManageInstallations([customer('admin')])).toBe(true);
    expect(canManageInstallations([customer('viewer')])).toBe(false);
  });

  it('lets customer admins and vendor release managers install, as the hub decides through the acting membership', () => {
    expect(canInstallReleases([customer('admin')])).toBe(true);
    expect(canInstallReleases([customer('viewer')])).toBe(false);
    expect(canInstallReleases([vendor('release-manager')])).toBe(true);
    expect(canInstallReleases([vendor('viewer')])).toBe(false);
    // The hub acts through the vendor membership: a vendor viewer who is also a customer admin may not.
    expect(canInstallReleases([customer('admin'), vendor('viewer')])).toBe(false);
    expect(canInstallReleases([])).toBe(false);
  });

  it('lets vendor admins and customer admins connect agents (issue credentials), through the acting membership', () => {
    expect(canConnectAgents([vendor('admin')])).toBe(true);
    expect(canConnectAgents([customer('admin')])).toBe(true);
    expect(canConnectAgents([vendor('release-manager')])).toBe(false);
    expect(canConnectAgents([customer('admin'), vendor('viewer')])).toBe(false);
  });
});

describe('roleLabel', () => {
  it('labels known roles and passes others through', () => {
    expect(roleLabel('release-manager')).toBe('Release manager');
    expect(roleLabel('admin')).toBe('Admin');
    expect(roleLabel('owner')).toBe('owner');
  });
});
