import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../http/route-access.js';
import { AUDIT_TARGET_TYPES, auditTarget } from './audit-target.js';

const none = { params: {}, answerId: undefined, explicitId: undefined };

describe('auditTarget', () => {
  it('defaults to the action area and the route id, else the created object', () => {
    expect(auditTarget({ ...none, action: 'customer.update', params: { id: 'c1' } })).toEqual({ type: 'customer', id: 'c1', details: {} });
    expect(auditTarget({ ...none, action: 'installation.create', answerId: 'i1' })).toEqual({ type: 'installation', id: 'i1', details: {} });
    expect(auditTarget({ ...none, action: 'session.logout' })).toEqual({ type: 'session', id: null, details: {} });
  });

  it('nested routes name the child, not the parent, and keep the parent in the details', () => {
    expect(auditTarget({ ...none, action: 'version.create', params: { id: 'app1' }, answerId: 'v1' })).toEqual({ type: 'version', id: 'v1', details: { applicationId: 'app1' } });
    expect(auditTarget({ ...none, action: 'version.update', params: { id: 'app1', vid: 'v1' }, answerId: 'v1' })).toEqual({ type: 'version', id: 'v1', details: { applicationId: 'app1' } });
    expect(auditTarget({ ...none, action: 'version.delete', params: { id: 'app1', vid: 'v1' } })).toEqual({ type: 'version', id: 'v1', details: { applicationId: 'app1' } });
    expect(auditTarget({ ...none, action: 'release.create', params: { id: 't1' }, answerId: 'r1' })).toEqual({ type: 'release', id: 'r1', details: { trackId: 't1' } });
    expect(auditTarget({ ...none, action: 'rollout.approve', params: { id: 'ro1', installationId: 'i1' } })).toEqual({ type: 'installation', id: 'i1', details: { rolloutId: 'ro1' } });
  });

  it('people are users, whatever the area; an explicit id wins', () => {
    expect(auditTarget({ ...none, action: 'member.role', params: { id: 'u1' } }).type).toBe('user');
    expect(auditTarget({ ...none, action: 'session.login', explicitId: 'u1' })).toEqual({ type: 'user', id: 'u1', details: {} });
    expect(auditTarget({ ...none, action: 'invite.accept', params: { token: 'secret' }, explicitId: 'u2' })).toEqual({ type: 'user', id: 'u2', details: {} });
  });

  it('every audited route of the role matrix has a target type', () => {
    const actions = Object.values(ROUTES).flatMap((rule) => ('audit' in rule ? [rule.audit] : []));
    expect(actions.length).toBeGreaterThan(30);
    const untyped = actions.filter((action) => !AUDIT_TARGET_TYPES.includes(auditTarget({ ...none, action }).type ?? ('' as never)));
    expect(untyped).toEqual([]);
  });
});
