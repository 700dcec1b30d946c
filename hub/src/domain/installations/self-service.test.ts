import { describe, expect, it } from 'vitest';
import { creationRefusal, patchRefusal } from './self-service.js';

const globex = { name: 'Globex', maxInstallations: 2, allowedEnvironments: ['production', 'staging'] };

describe('customer self-service limits', () => {
  it('counts installations against the maximum and checks the environment', () => {
    expect(creationRefusal(globex, 1, 'staging')).toBeUndefined();
    expect(creationRefusal(globex, 2, 'staging')).toMatchObject({ code: 'CONFLICT', message: 'Globex may have at most 2 installations; delete one or ask your vendor for more' });
    expect(creationRefusal(globex, 0, 'qa')).toMatchObject({ code: 'VALIDATION_FAILED', message: 'environment: Globex may use "production", "staging"; ask your vendor for "qa"' });
    expect(creationRefusal({ ...globex, maxInstallations: null, allowedEnvironments: null }, 500, 'anything')).toBeUndefined();
    expect(creationRefusal({ ...globex, maxInstallations: 0 }, 0, 'staging')?.code).toBe('CONFLICT');
  });

  it('lets customers rename and move within their environments, not touch what is the vendor’s', () => {
    expect(patchRefusal(globex, { name: 'edge' }, 'qa')).toBeUndefined();
    expect(patchRefusal(globex, { environment: 'qa' }, 'qa')).toBeUndefined(); // unchanged, even if no longer allowed
    expect(patchRefusal(globex, { environment: 'qa' }, 'production')?.code).toBe('VALIDATION_FAILED');
    expect(patchRefusal(globex, { helmValues: {} }, 'production')).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('Only your vendor changes helmValues') });
    expect(patchRefusal(globex, { clusterScoped: true, name: 'x' }, 'production')?.code).toBe('FORBIDDEN');
  });
});
