import { describe, expect, it } from 'vitest';
import { FlotillaError } from '../errors.js';
import { CliError } from './cli-error.js';
import { describeError, formatFields, formatTable } from './format.js';

describe('formatTable', () => {
  it('pads columns to the widest cell, upper-case headers, "-" for empty cells', () => {
    expect(formatTable([{ name: 'shop', kind: 'compose', id: 'a1' }, { name: 'web-frontend', kind: 'helm', id: null }], ['name', 'kind', 'id'])).toBe(
      ['NAME          KIND     ID', 'shop          compose  a1', 'web-frontend  helm     -'].join('\n'),
    );
    expect(formatTable([], ['name'])).toBe('(none)');
  });
  it('aligns key/value blocks', () => {
    expect(formatFields({ id: 'x', status: 'ready', locked: true })).toBe(['id:     x', 'status: ready', 'locked: true'].join('\n'));
  });
});

describe('describeError', () => {
  it('says which scope a refused command needs', () => {
    const err = new FlotillaError('FORBIDDEN', 'Your role may not do this (POST /rollouts needs vendor role release-manager)', 403, { required: { vendorRole: 'release-manager' } }, 'POST /rollouts');
    const { message, exitCode } = describeError(err);
    expect(exitCode).toBe(1);
    expect(message).toContain('FORBIDDEN: Your role may not do this');
    expect(message).toContain('needs an API token with scope "release-manager" or higher');
    expect(message).toContain('flotilla login --scope release-manager');
  });
  it('names customer roles as well when the route has them', () => {
    const err = new FlotillaError('FORBIDDEN', 'no', 403, { required: { vendorRole: 'release-manager', customerRole: 'admin' } }, 'POST /installations/:id/deploy');
    expect(describeError(err).message).toContain('scope "release-manager" or higher for vendor tokens, "admin" for customer tokens');
  });
  it('lists validation issues with their place', () => {
    const err = new FlotillaError('VALIDATION_FAILED', 'Invalid compose file', 400, { issues: [{ path: ['services', 'web'], message: 'image is required', line: 3, column: 5 }] }, 'POST /applications/:id/versions');
    expect(describeError(err).message).toBe('VALIDATION_FAILED: Invalid compose file\n  - services.web: image is required (line 3, column 5)');
  });
  it('tells how to authenticate after UNAUTHORIZED, and keeps a usage error\'s exit code', () => {
    expect(describeError(new FlotillaError('UNAUTHORIZED', 'Sign in', 401, undefined, 'GET /me')).message).toContain('FLOTILLA_TOKEN');
    expect(describeError(new CliError('--waves: bad'))).toEqual({ message: '--waves: bad', exitCode: 64 });
  });
});
