import { describe, expect, it } from 'vitest';
import type { Membership } from '@flotilla/protocol';
import { buildInviteBody, buildTokenBody, keepRole, parseDays } from './identity-forms';

const vendorAdmin: Membership = { vendorId: 'v1', vendorName: 'Acme', customerId: null, customerName: null, role: 'admin' };
const customerAdmin: Membership = { vendorId: 'v1', vendorName: 'Acme', customerId: 'c1', customerName: 'Globex', role: 'admin' };

describe('keepRole', () => {
  it('keeps a role that is still offered, else falls back to the weakest', () => {
    expect(keepRole('admin', ['admin', 'viewer'])).toBe('admin');
    expect(keepRole('release-manager', ['admin', 'viewer'])).toBe('viewer');
    expect(keepRole('admin', [])).toBe('');
  });
});

describe('buildInviteBody', () => {
  it('invites into the vendor team without a customerId', () => {
    expect(buildInviteBody({ email: ' bob@example.com ', role: 'viewer', customerId: '' })).toEqual({ ok: true, value: { email: 'bob@example.com', role: 'viewer' } });
  });

  it('names the customer when one is chosen', () => {
    expect(buildInviteBody({ email: 'c@x.io', role: 'admin', customerId: 'c1' })).toEqual({ ok: true, value: { email: 'c@x.io', role: 'admin', customerId: 'c1' } });
  });

  it('asks for the email and a role', () => {
    expect(buildInviteBody({ email: '  ', role: 'viewer', customerId: '' })).toMatchObject({ ok: false, message: expect.stringContaining('email') });
    expect(buildInviteBody({ email: 'a@b.c', role: '', customerId: '' })).toMatchObject({ ok: false, message: 'Choose a role' });
  });
});

describe('parseDays', () => {
  it('accepts blank as "not set" and whole numbers in range', () => {
    expect(parseDays('', 30)).toEqual({ ok: true, value: undefined });
    expect(parseDays('  ', 30)).toEqual({ ok: true, value: undefined });
    expect(parseDays('7', 30)).toEqual({ ok: true, value: 7 });
    expect(parseDays(30, 30)).toEqual({ ok: true, value: 30 });
  });

  it('rejects fractions, negatives, zero, words and too many days', () => {
    for (const bad of ['1.5', '-1', '0', 'ten', '31', 1e21]) expect(parseDays(bad, 30).ok).toBe(false);
  });
});

describe('buildTokenBody', () => {
  it('names the vendor the token acts in', () => {
    expect(buildTokenBody({ name: ' ci ', role: 'viewer', expiresInDays: '' }, vendorAdmin)).toEqual({ ok: true, value: { name: 'ci', role: 'viewer', vendorId: 'v1' } });
  });

  it('names the customer for customer users, and the expiry when given', () => {
    expect(buildTokenBody({ name: 'backup', role: 'admin', expiresInDays: 90 }, customerAdmin)).toEqual({
      ok: true,
      value: { name: 'backup', role: 'admin', expiresInDays: 90, vendorId: 'v1', customerId: 'c1' },
    });
  });

  it('leaves the role to the hub when none is chosen', () => {
    expect(buildTokenBody({ name: 'x', role: '', expiresInDays: '' }, undefined)).toEqual({ ok: true, value: { name: 'x' } });
  });

  it('asks for a name and a sane expiry', () => {
    expect(buildTokenBody({ name: ' ', role: 'viewer', expiresInDays: '' }, vendorAdmin)).toMatchObject({ ok: false });
    expect(buildTokenBody({ name: 'x', role: 'viewer', expiresInDays: '3651' }, vendorAdmin)).toMatchObject({ ok: false, message: expect.stringContaining('3650') });
  });
});
