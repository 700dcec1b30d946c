import { describe, expect, it } from 'vitest';
import { buildLimitsBody, describeLimits, limitsForm } from './customer-limits';

describe('customer limits form', () => {
  it('round-trips the limits; blank means no limit', () => {
    expect(limitsForm({ maxInstallations: 3, allowedEnvironments: ['production', 'staging'] })).toEqual({ maxInstallations: '3', allowedEnvironments: 'production, staging' });
    expect(buildLimitsBody({ maxInstallations: ' 3 ', allowedEnvironments: 'production, staging,,production' })).toEqual({ ok: true, value: { maxInstallations: 3, allowedEnvironments: ['production', 'staging'] } });
    expect(buildLimitsBody({ maxInstallations: '', allowedEnvironments: ' ' })).toEqual({ ok: true, value: { maxInstallations: null, allowedEnvironments: null } });
    expect(buildLimitsBody({ maxInstallations: 'two', allowedEnvironments: '' })).toMatchObject({ ok: false });
  });

  it('describes them for the customer', () => {
    expect(describeLimits({ maxInstallations: 3, allowedEnvironments: ['production'] }, 1)).toBe('1 of 3 installations · production');
    expect(describeLimits({ maxInstallations: null, allowedEnvironments: null }, 1)).toBe('1 installation · any environment');
  });
});
