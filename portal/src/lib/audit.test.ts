import { describe, expect, it } from 'vitest';
import { AUDIT_ACTIONS, appendPage, auditActionGroups, auditQuery, formatActor, formatDetails, formatTarget, formatTimestamp, shortId, targetView, type AuditRecord } from './audit';

const entry = (id: string, patch: Partial<AuditRecord> = {}): AuditRecord => ({
  id,
  at: '2025-01-01T10:00:05.123Z',
  action: 'invite.create',
  actor: { userId: 'u1', tokenId: null, email: 'ada@example.com' },
  vendorId: 'v1',
  customerId: null,
  target: { type: 'invite', id: '0b6c1c2e-1f0a-4c4e-9a55-0d1f2e3a4b5c', name: null },
  ip: '127.0.0.1',
  details: null,
  ...patch,
});

describe('auditActionGroups', () => {
  it('groups actions by area, each with an "all" option first', () => {
    const groups = auditActionGroups(['invite.create', 'invite.accept', 'token.create']);
    expect(groups).toEqual([
      { area: 'invite', options: [{ value: 'invite', label: 'All invite actions' }, { value: 'invite.create', label: 'invite.create' }, { value: 'invite.accept', label: 'invite.accept' }] },
      { area: 'token', options: [{ value: 'token', label: 'All token actions' }, { value: 'token.create', label: 'token.create' }] },
    ]);
  });

  it('covers every audited action once', () => {
    const values = auditActionGroups().flatMap((g) => g.options.slice(1).map((o) => o.value));
    expect(values).toEqual([...AUDIT_ACTIONS]);
    expect(new Set(values).size).toBe(values.length);
  });
});

describe('auditQuery', () => {
  it('sends the filter, the page size and the cursor when set', () => {
    expect(auditQuery({ action: '' })).toEqual({ limit: 50 });
    expect(auditQuery({ action: 'invite' }, '42', 10)).toEqual({ action: 'invite', limit: 10, before: '42' });
  });
});

describe('appendPage', () => {
  it('appends older entries and skips any already shown', () => {
    expect(appendPage([entry('3'), entry('2')], [entry('2'), entry('1')]).map((e) => e.id)).toEqual(['3', '2', '1']);
  });
});

describe('formatting', () => {
  it('shows times in UTC to the second', () => {
    expect(formatTimestamp('2025-01-01T10:00:05.123Z')).toBe('2025-01-01 10:00:05 UTC');
    expect(formatTimestamp('garbage')).toBe('garbage');
  });

  it('names the actor, marking API tokens', () => {
    expect(formatActor(entry('1').actor)).toBe('ada@example.com');
    expect(formatActor({ userId: 'u1', tokenId: 't1', email: 'ada@example.com' })).toBe('ada@example.com (API token)');
    expect(formatActor({ userId: '0b6c1c2e-1f0a-4c4e-9a55-0d1f2e3a4b5c', tokenId: null, email: null })).toBe('user 0b6c1c2e');
    expect(formatActor({ userId: null, tokenId: null, email: null })).toBe('system');
  });

  it('shortens UUID targets', () => {
    expect(formatTarget(entry('1').target)).toBe('invite 0b6c1c2e');
    expect(formatTarget({ type: 'session', id: null, name: null })).toBe('session');
    expect(formatTarget({ type: null, id: 'abc', name: null })).toBe('abc');
    expect(formatTarget({ type: null, id: null, name: null })).toBe('—');
    expect(shortId('not-a-uuid')).toBe('not-a-uuid');
  });

  it('names targets by type and name, linked to their page', () => {
    const id = '0b6c1c2e-1f0a-4c4e-9a55-0d1f2e3a4b5c';
    const view = (type: string, name: string | null, details: Record<string, unknown> | null = null) => targetView({ target: { type, id, name }, details });
    expect(view('installation', 'main (Globex)')).toEqual({ text: 'installation main (Globex)', href: `/installations/${id}` });
    expect(view('release', 'Shop 1.2.0')).toEqual({ text: 'release Shop 1.2.0', href: `/releases/${id}` });
    expect(view('application', 'shop')).toEqual({ text: 'application shop', href: `/applications/${id}` });
    expect(view('customer', 'Globex')).toEqual({ text: 'customer Globex', href: `/customers/${id}` });
    expect(view('rollout', 'Shop 1.2.0')).toEqual({ text: 'rollout Shop 1.2.0', href: `/rollouts/${id}` });
    expect(view('track', 'Shop')).toEqual({ text: 'track Shop', href: `/tracks/${id}` });
    // A version lives on its application's page.
    expect(view('version', 'shop 1.0.0', { applicationId: 'app-1' })).toEqual({ text: 'version shop 1.0.0', href: '/applications/app-1' });
    expect(view('version', 'shop 1.0.0')).toEqual({ text: 'version shop 1.0.0', href: null });
    // No page for people, tokens and invites; an unknown name shows the short id.
    expect(view('user', 'ada@example.com')).toEqual({ text: 'user ada@example.com', href: null });
    expect(view('customer', null)).toEqual({ text: 'customer 0b6c1c2e', href: `/customers/${id}` });
    expect(targetView({ target: { type: 'session', id: null, name: null }, details: null })).toEqual({ text: 'session', href: null });
  });

  it('lists details as key=value', () => {
    expect(formatDetails({ email: 'b@x', role: 'viewer', customerId: null, n: 2 })).toBe('email=b@x role=viewer n=2');
    expect(formatDetails(null)).toBe('');
    expect(formatDetails({ customerId: 'c1', role: 'admin' }, new Map([['c1', 'Globex']]))).toBe('customer=Globex role=admin');
    expect(formatDetails({ customerId: 'c9' }, new Map([['c1', 'Globex']]))).toBe('customerId=c9');
    expect(formatDetails({ rolloutId: '0b6c1c2e-1f0a-4c4e-9a55-0d1f2e3a4b5c' })).toBe('rolloutId=0b6c1c2e');
  });
});
