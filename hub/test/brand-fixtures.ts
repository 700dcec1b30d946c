/** The smallest valid PNG: 1×1, one transparent pixel. */
export const TINY_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A vendor logo: a maroon square with an "A" (as an SVG with a script the sanitiser must drop). */
export const ACME_LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 40 40" width="40" height="40" onload="alert(1)"><script>alert(2)</script><rect width="40" height="40" rx="6" fill="#7a143c"/><text x="20" y="28" font-size="22" text-anchor="middle" fill="#fff">A</text></svg>';
