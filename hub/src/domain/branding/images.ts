import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { DOMPurify } from 'dompurify';
import type { JSDOM } from 'jsdom';
import { BRAND_IMAGE_MAX_BYTES, type BrandImageKind, type BrandImageUpload, type ValidationIssue } from '@flotilla/protocol';

export interface BrandImage {
  data: Buffer;
  contentType: BrandImageUpload['contentType'];
  /** Changes with the bytes: part of the image's URL, so browsers never show a stale one. */
  hash: string;
}

export type ImageCheck = { ok: true; image: BrandImage } | { ok: false; issue: ValidationIssue };

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const SVG_NS = 'http://www.w3.org/2000/svg';

let purifier: { purify: DOMPurify; window: JSDOM['window'] } | undefined;
/**
 * One DOM for every sanitisation, loaded and built on first use: loading jsdom takes about a second,
 * half of a hub process's start (every restart, every agent reconnect storm waits on it), and
 * uploads are rare.
 */
function svgPurifier() {
  if (!purifier) {
    const require = createRequire(import.meta.url);
    const { JSDOM: Dom } = require('jsdom') as typeof import('jsdom');
    const createDOMPurify = require('dompurify') as typeof import('dompurify').default;
    const { window } = new Dom('');
    purifier = { purify: createDOMPurify(window), window };
  }
  return purifier;
}

/**
 * DOMPurify's SVG profile drops scripts, event handlers, foreignObject and javascript: URLs; what
 * is left must be exactly one <svg> element, serialised back as XML (browsers parse image/svg+xml
 * strictly). The hub also serves it with a sandboxing CSP, so a bypass still could not run script.
 */
export function sanitizeSvg(text: string): string | undefined {
  const { purify, window } = svgPurifier();
  const fragment = purify.sanitize(text, { USE_PROFILES: { svg: true, svgFilters: true }, RETURN_DOM_FRAGMENT: true });
  const roots = [...fragment.childNodes].filter((n) => n.nodeType === window.Node.ELEMENT_NODE) as Element[];
  const root = roots[0];
  if (roots.length !== 1 || !root || root.localName !== 'svg' || root.namespaceURI !== SVG_NS) return undefined;
  return new window.XMLSerializer().serializeToString(root);
}

/** Decodes, checks the size and the format, and sanitises SVG. Pure apart from the DOM it parses in. */
export function checkImage(kind: BrandImageKind, upload: BrandImageUpload): ImageCheck {
  const refuse = (message: string): ImageCheck => ({ ok: false, issue: { path: kind, message } });
  const raw = Buffer.from(upload.data, 'base64');
  const max = BRAND_IMAGE_MAX_BYTES[kind];
  if (raw.length > max) return refuse(`is ${Math.ceil(raw.length / 1024)} KB; the ${kind} may be at most ${max / 1024} KB`);
  let data = raw;
  if (upload.contentType === 'image/png') {
    // The signature, then the IHDR chunk every PNG starts with.
    if (raw.length < 24 || !raw.subarray(0, 8).equals(PNG_SIGNATURE) || raw.toString('latin1', 12, 16) !== 'IHDR') return refuse('is not a PNG image');
  } else {
    const clean = sanitizeSvg(raw.toString('utf8'));
    if (!clean) return refuse('is not an SVG image (its root element must be <svg>)');
    data = Buffer.from(clean, 'utf8');
  }
  return { ok: true, image: { data, contentType: upload.contentType, hash: createHash('sha256').update(data).digest('hex').slice(0, 16) } };
}
