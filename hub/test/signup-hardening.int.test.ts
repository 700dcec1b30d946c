import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, randomSuffix, startTestHub, type TestDatabase, type TestHub } from './helpers.js';
import { PASSWORD } from './identity-helpers.js';

// Sign-up (issue #14, class 5): a password policy beyond length, and a limit per address.
let tdb: TestDatabase;
let hub: TestHub;

beforeAll(async () => {
  tdb = await createTestDatabase();
  hub = await startTestHub({ databaseUrl: tdb.url, trustProxy: true });
});

afterAll(async () => {
  await hub?.close();
  await tdb?.drop();
});

type Answer = { status: number; body: { error?: { code: string; message: string; details?: { issues?: { path: string; message: string }[] } } } };

async function signup(body: Record<string, string>, from: string): Promise<Answer> {
  const res = await fetch(`${hub.url}/api/v1/auth/signup`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': from }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Answer['body'] };
}

const person = () => {
  const suffix = randomSuffix();
  return { email: `grace.hopper.${suffix}@example.com`, name: 'Grace Hopper', vendorName: `Cobol Works ${suffix}` };
};

describe('password policy', () => {
  it('refuses common passwords and the own email or name in plain words, on the password field', async () => {
    const who = person();
    const cases: [string, RegExp][] = [
      ['1234567890', /^too common/],
      ['password1234', /^too common/],
      [who.email, /^must not contain your email address or your name$/],
      ['gracehopper1', /^must not contain your email address or your name$/],
      ['abcdefghijklmn', /^too (easy|common)/],
    ];
    for (const [password, message] of cases) {
      const res = await signup({ ...who, password }, '10.20.0.1');
      expect(res.status, password).toBe(400);
      expect(res.body.error?.code).toBe('VALIDATION_FAILED');
      expect(res.body.error?.message).toMatch(/^Password /);
      expect(res.body.error?.details?.issues).toEqual([{ path: 'password', message: expect.stringMatching(message) as string }]);
    }
    expect((await signup({ ...who, password: PASSWORD }, '10.20.0.2')).status).toBe(201);
  });
});

describe('sign-up limit', () => {
  it('allows 10 sign-ups per address and hour, counted before they are checked, and not other addresses', async () => {
    const statuses = await Promise.all(Array.from({ length: 14 }, () => signup({ ...person(), password: PASSWORD }, '10.21.0.1').then((r) => r.status)));
    expect(statuses.filter((s) => s === 201)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(4);
    expect((await signup({ ...person(), password: PASSWORD }, '10.21.0.2')).status).toBe(201);
  });
});
