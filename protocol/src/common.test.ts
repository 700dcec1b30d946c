import { describe, expect, it } from 'vitest';
import { encodePageCursor, Int32, IsoDate, PageCursor, storableText, text } from './common.js';

describe('storable values', () => {
  it('text refuses U+0000 and unpaired surrogates, keeps surrogate pairs', () => {
    const t = text(20);
    expect(t.safeParse('Café 🚢').success).toBe(true);
    for (const bad of ['a\u0000', '\uD800', 'x\uDC00y', '🚢'.slice(0, 1), 'x'.repeat(21)]) expect(t.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
  });

  it('storableText makes any text acceptable to text() without touching good characters', () => {
    const cut = '🚢🚢'.slice(0, 3);
    expect(storableText(`a\u0000b${cut}`)).toBe('a\uFFFDb🚢\uFFFD');
    expect(text(100).safeParse(storableText(`\uDC00\u0000\uD800`)).success).toBe(true);
  });

  it('IsoDate holds years 1 to 9999 only', () => {
    for (const ok of ['0001-01-01T00:00:00Z', '2026-12-05T07:16:19.123456Z', '9999-12-31T23:59:59+00:00']) expect(IsoDate.safeParse(ok).success, ok).toBe(true);
    for (const bad of ['0000-06-01T00:00:00Z', '0001-01-01T00:00:00+01:00', '9999-12-31T23:59:59-01:00', '2026-02-30T00:00:00Z']) expect(IsoDate.safeParse(bad).success, bad).toBe(false);
  });

  it('Int32 is what an integer column holds', () => {
    expect(Int32.safeParse(2 ** 31 - 1).success).toBe(true);
    expect(Int32.safeParse(2 ** 31).success).toBe(false);
    expect(Int32.safeParse(-(2 ** 31) - 1).success).toBe(false);
  });
});

describe('page cursors', () => {
  const key = { createdAt: '2026-12-05T07:16:19.123456Z', id: '0b6c2a6e-4c1f-4b7e-9a59-2f1d6c8e0a11' };

  it('round-trips the microsecond key', () => {
    expect(PageCursor.parse(encodePageCursor(key))).toEqual(key);
  });

  it('refuses what it did not issue', () => {
    const enc = (v: unknown) => btoa(JSON.stringify(v)).replace(/=+$/, '');
    for (const bad of [enc(['0000-01-01T00:00:00Z', key.id]), enc([key.createdAt, 'x']), enc([1, 2]), enc({}), enc([key.createdAt]), '!!', 'a', '']) {
      expect(PageCursor.safeParse(bad).success, bad).toBe(false);
    }
  });
});
