import { describe, expect, it } from 'vitest';
import { checkImage, sanitizeSvg } from './images.js';
import { TINY_PNG } from '../../../test/brand-fixtures.js';

const b64 = (s: string | Buffer) => Buffer.from(s).toString('base64');

describe('sanitizeSvg', () => {
  it('keeps the drawing and drops script, handlers, foreignObject and javascript: links', () => {
    const dirty = `<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">
      <script>alert(2)</script><foreignObject><iframe src="https://evil.example"></iframe></foreignObject>
      <a href="javascript:alert(3)"><rect width="10" height="10" fill="#7a143c"/></a></svg>`;
    const clean = sanitizeSvg(dirty) ?? '';
    expect(clean).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" viewBox="0 0 10 10">/);
    expect(clean).toContain('<rect width="10" height="10" fill="#7a143c"');
    for (const bad of ['onload', 'script', 'alert', 'foreignObject', 'iframe', 'javascript']) expect(clean).not.toContain(bad);
  });

  it('refuses what is not one svg element', () => {
    expect(sanitizeSvg('<html><body>hi</body></html>')).toBeUndefined();
    expect(sanitizeSvg('<svg xmlns="http://www.w3.org/2000/svg"></svg><svg></svg>')).toBeUndefined();
    expect(sanitizeSvg('not xml at all')).toBeUndefined();
  });
});

describe('checkImage', () => {
  it('accepts a PNG as it is, with a content hash', () => {
    const res = checkImage('logo', { contentType: 'image/png', data: TINY_PNG.toString('base64') });
    expect(res.ok && res.image.data.equals(TINY_PNG)).toBe(true);
    expect(res.ok && res.image.hash).toMatch(/^[0-9a-f]{16}$/);
  });

  it('refuses a file that is not the PNG it claims to be', () => {
    const res = checkImage('logo', { contentType: 'image/png', data: b64('<svg></svg>') });
    expect(res).toEqual({ ok: false, issue: { path: 'logo', message: 'is not a PNG image' } });
  });

  it('refuses images over the size limit of their kind', () => {
    const big = Buffer.concat([TINY_PNG, Buffer.alloc(70 * 1024)]);
    const res = checkImage('favicon', { contentType: 'image/png', data: big.toString('base64') });
    expect(res.ok ? '' : res.issue.message).toBe('is 71 KB; the favicon may be at most 64 KB');
    expect(checkImage('logo', { contentType: 'image/png', data: big.toString('base64') }).ok).toBe(true);
  });

  it('stores the sanitised SVG', () => {
    const res = checkImage('favicon', { contentType: 'image/svg+xml', data: b64('<svg xmlns="http://www.w3.org/2000/svg" onclick="x()"><circle r="4"/></svg>') });
    expect(res.ok && res.image.data.toString()).toBe('<svg xmlns="http://www.w3.org/2000/svg"><circle r="4"/></svg>');
  });
});
