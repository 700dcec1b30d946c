import { describe, expect, it } from 'vitest';
import { ROUTES } from '../src/http/route-access.js';
import { AUDIT_TARGET_TYPES } from '../src/domain/audit/audit-target.js';
import { AUDIT_ACTIONS, LINKED_TARGET_TYPES } from '../../portal/src/lib/audit.js';

/** The portal's audit log offers every action the hub audits (and nothing else) and links only target types the hub records. */
describe('portal audit log vs the hub', () => {
  it('lists exactly the audit actions of the role matrix', () => {
    const audited = new Set(Object.values(ROUTES).flatMap((rule) => ('audit' in rule ? [rule.audit] : [])));
    expect([...AUDIT_ACTIONS].sort()).toEqual([...audited].sort());
  });

  it('links only target types the hub records', () => {
    expect(LINKED_TARGET_TYPES.filter((t) => !(AUDIT_TARGET_TYPES as readonly string[]).includes(t))).toEqual([]);
    expect(LINKED_TARGET_TYPES).toEqual(expect.arrayContaining(['installation', 'release', 'application', 'customer', 'rollout', 'version']));
  });
});
