import { describe, expect, it } from 'vitest';
import { ROUTES } from '../src/http/route-access.js';
import { AUDIT_ACTIONS } from '../../portal/src/lib/audit.js';

/** The portal's audit-log filter offers every action the hub audits, and nothing else. */
describe('portal audit action filter', () => {
  it('lists exactly the audit actions of the role matrix', () => {
    const audited = new Set(Object.values(ROUTES).flatMap((rule) => ('audit' in rule ? [rule.audit] : [])));
    expect([...AUDIT_ACTIONS].sort()).toEqual([...audited].sort());
  });
});
