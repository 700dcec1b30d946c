/** Inputs that broke the hub once: shared by the unit tests of the limits and the fuzz suite. */

/** The classic "billion laughs": each level multiplies by nine; four levels are 6 561 strings. */
export function aliasBomb(levels = 6, under = 'x-lol'): string {
  const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array.from({ length: 9 }, () => `*a${i - 1}`).join(',')}]`);
  return `${under}:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Strings PostgreSQL, JSON or a parser has refused at some point, or that are simply absurd. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  '\uD800',
  'x\uDC00',
  '🚢'.slice(0, 1),
  '\u202Eevil',
  '../../etc/passwd',
  "'; DROP TABLE customers; --",
  '<script>alert(1)</script>',
  '%00',
  '0000-01-01T00:00:00Z',
  '0000-12-31T23:59:59+01:00',
  '9999-12-31T23:59:59-14:00',
  '+275760-09-13T00:00:00Z',
  '2026-02-30T00:00:00Z',
  '1e999',
  '-1',
  '2147483648',
  '9223372036854775808',
  'NaN',
  'x'.repeat(10_001),
  'é'.repeat(70_000),
  aliasBomb(),
  aliasBomb(6, 'lol'),
  'a: *undefined\n',
  'a: &a [*a]\n',
  `${'['.repeat(3000)}`,
  cursor(['0000-01-01T00:00:00Z', '00000000-0000-4000-8000-000000000000']),
  cursor(['2026-01-01T00:00:00.123456789Z', 'x']),
  cursor([1e308, null]),
  cursor(JSON.parse('{"__proto__": {"polluted": true}}')),
];

/** Numbers past what columns, timers and JSON hold. */
export const HOSTILE_NUMBERS: readonly number[] = [-1, 0, -0, 0.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, 1e21, 1e308, -1e308, Number.MIN_VALUE];

/** Values of the wrong type altogether. */
export const HOSTILE_VALUES: readonly unknown[] = [null, true, false, [], {}, [null], { $gt: '' }, JSON.parse('{"__proto__": {"admin": true}}'), { constructor: { prototype: { x: 1 } } }];
