import { describe, expect, it } from 'vitest';
import { passwordProblem } from './password-policy.js';

const ada = { email: 'ada.lovelace@example.com', names: ['Ada Lovelace', 'Analytical Engines Ltd'] };

describe('password policy', () => {
  it('accepts long unrelated words and random strings', () => {
    for (const p of ['correct horse battery staple', 'bench-password-123', 'Tr0ub4dor&3x-kelp', 'plinth orbit saffron']) expect(passwordProblem(p, ada), p).toBeUndefined();
  });

  it('refuses common passwords', () => {
    for (const p of ['1234567890', 'password123', 'qwertyuiop', 'iloveyou12']) expect(passwordProblem(p, ada), p).toMatch(/too common|too easy/);
  });

  it("refuses the user's own email address or name", () => {
    for (const p of ['ada.lovelace@example.com', 'ada.lovelace', 'lovelace2026', 'analyticalengines']) expect(passwordProblem(p, ada), p).toBe('must not contain your email address or your name');
  });

  it('refuses patterns', () => {
    for (const p of ['abcdefghijkl', 'aaaaaaaaaaaa', '2026-12-05x']) expect(passwordProblem(p, ada), p).toMatch(/too (easy|common)/);
  });
});
