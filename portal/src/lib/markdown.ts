/**
 * A small, safe Markdown renderer for release notes and component instructions (rendered with
 * `v-html`). Safety comes from the order of work, not from sanitising afterwards: every character
 * of the source is HTML-escaped, and the only tags in the output are the ones this module writes
 * (h1–h6, p, ul/ol/li, blockquote, pre/code, hr, strong, em, del, code, a, br). Links keep only
 * http(s), mailto, same-site paths and anchors; anything else (javascript:, data:, …) stays text.
 *
 * Supported: `#` headings, paragraphs, `-`/`*`/`+` and `1.` lists, `>` quotes, fenced code blocks,
 * `---` rules, `**bold**`, `*italic*`/`_italic_`, `~~strike~~`, `` `code` ``, `[text](url)`,
 * and a hard line break for a line ending in two spaces.
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes the five HTML-significant characters: the result is inert as text and inside a quoted attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** Whether a link target may become an `href`: http(s), mailto, a same-site path, or an anchor. */
export function isSafeUrl(url: string): boolean {
  if (/[\s\p{Cc}]/u.test(url)) return false;
  if (/^(https?:\/\/|mailto:)/i.test(url)) return true;
  // Same-site paths and anchors; `//host` (another site, scheme-relative) and `/\host` are not.
  return (url.startsWith('/') && !url.startsWith('//') && !url.startsWith('/\\')) || url.startsWith('#');
}

/** Private-use markers for spans already rendered (code, links); stripped from the input first. */
const MARK = '\u{F8FF}';
const MARK_RE = new RegExp(`${MARK}(\\d+)${MARK}`, 'g');

/** Renders inline Markdown of one block: escaped text plus the inline tags above. */
export function renderInline(source: string): string {
  const held: string[] = [];
  const hold = (html: string) => `${MARK}${held.push(html) - 1}${MARK}`;
  let text = source.replaceAll(MARK, '');

  // Code spans first: nothing inside them is Markdown.
  text = text.replace(/(`+)([^`]|[^`][\s\S]*?[^`])\1(?!`)/g, (_m, _ticks: string, code: string) => hold(`<code>${escapeHtml(code.trim() || code)}</code>`));
  // Links: [text](url) or [text](url "title") (one level of parentheses in the URL); the text may hold
  // emphasis, the URL never does.
  text = text.replace(/\[([^\]\n]+)\]\(\s*((?:[^()\s]|\([^()\s]*\))+)(?:\s+"([^"\n]*)")?\s*\)/g, (_m, label: string, url: string, title: string | undefined) => {
    if (!isSafeUrl(url)) return hold(emphasis(escapeHtml(label)));
    const external = /^(https?:|mailto:)/i.test(url);
    const attrs = `href="${escapeHtml(url)}"${title ? ` title="${escapeHtml(title)}"` : ''}${external ? ' target="_blank" rel="noopener noreferrer nofollow"' : ''}`;
    return hold(`<a ${attrs}>${emphasis(escapeHtml(label))}</a>`);
  });

  let html = emphasis(escapeHtml(text));
  html = html.replace(/ {2,}\n/g, '<br>\n');
  // Restore held spans (a link's label may itself hold a code span: restore until none is left).
  for (let i = 0; i < 3 && html.includes(MARK); i++) html = html.replace(MARK_RE, (_m, n: string) => held[Number(n)] ?? '');
  return html;
}

/** Bold, italic, strike-through within a line, on already escaped text (the markers are not HTML-significant). */
function emphasis(escaped: string): string {
  return escaped
    .replace(/\*\*(?=\S)([^\n]*?\S)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^\w])__(?=\S)([^\n]*?\S)__(?!\w)/g, '$1<strong>$2</strong>')
    .replace(/(^|[^*\w])\*(?=[^\s*])([^*\n]*?[^\s*])\*(?!\*)/g, '$1<em>$2</em>')
    .replace(/(^|[^\w])_(?=[^\s_])([^_\n]*?[^\s_])_(?!\w)/g, '$1<em>$2</em>')
    .replace(/~~(?=\S)([^\n]*?\S)~~/g, '<del>$1</del>');
}

const FENCE = /^ {0,3}(```|~~~)(.*)$/;
const HEADING = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/;
const RULE = /^ {0,3}([-*_])(\s*\1){2,}\s*$/;
const QUOTE = /^ {0,3}>\s?(.*)$/;
const BULLET = /^\s{0,3}[-*+]\s+(.*)$/;
const NUMBERED = /^\s{0,3}(\d{1,9})[.)]\s+(.*)$/;

function startsBlock(line: string): boolean {
  return FENCE.test(line) || HEADING.test(line) || RULE.test(line) || QUOTE.test(line) || BULLET.test(line) || NUMBERED.test(line);
}

/** Renders Markdown to safe HTML (empty string for empty input). */
export function renderMarkdown(source: string | null | undefined, depth = 0): string {
  if (!source) return '';
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  const out: string[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '') {
      i++;
      continue;
    }
    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      i++;
      while (i < lines.length && !(lines[i] ?? '').trimStart().startsWith(fence[1] ?? '```')) body.push(lines[i++] ?? '');
      i++; // the closing fence (or the end)
      const lang = (fence[2] ?? '').trim().split(/\s+/)[0] ?? '';
      const cls = /^[\w+-]+$/.test(lang) ? ` class="language-${lang}"` : '';
      out.push(`<pre><code${cls}>${escapeHtml(body.join('\n'))}</code></pre>`);
      continue;
    }
    const heading = HEADING.exec(line);
    if (heading) {
      const level = heading[1]?.length ?? 1;
      out.push(`<h${level}>${renderInline(heading[2] ?? '')}</h${level}>`);
      i++;
      continue;
    }
    if (RULE.test(line)) {
      out.push('<hr>');
      i++;
      continue;
    }
    if (QUOTE.test(line)) {
      const body: string[] = [];
      while (i < lines.length && QUOTE.test(lines[i] ?? '')) body.push(QUOTE.exec(lines[i++] ?? '')?.[1] ?? '');
      // Nested quotes are rendered, up to a sane depth (a hostile note cannot blow the stack).
      out.push(`<blockquote>${depth < 8 ? renderMarkdown(body.join('\n'), depth + 1) : `<p>${renderInline(body.join('\n'))}</p>`}</blockquote>`);
      continue;
    }
    const list = BULLET.test(line) ? { re: BULLET, tag: 'ul' } : NUMBERED.test(line) ? { re: NUMBERED, tag: 'ol' } : null;
    if (list) {
      const items: string[] = [];
      const first = NUMBERED.exec(line);
      while (i < lines.length) {
        const current = lines[i] ?? '';
        const m = list.re.exec(current);
        if (m) {
          items.push(list.tag === 'ol' ? (m[2] ?? '') : (m[1] ?? ''));
        } else if (current.trim() !== '' && /^\s+/.test(current) && items.length > 0) {
          items[items.length - 1] += `\n${current.trim()}`; // an indented continuation line
        } else {
          break;
        }
        i++;
      }
      const start = list.tag === 'ol' && first && first[1] !== '1' ? ` start="${Number(first[1])}"` : '';
      out.push(`<${list.tag}${start}>${items.map((item) => `<li>${renderInline(item)}</li>`).join('')}</${list.tag}>`);
      continue;
    }
    const para: string[] = [];
    while (i < lines.length && (lines[i] ?? '').trim() !== '' && (para.length === 0 || !startsBlock(lines[i] ?? ''))) para.push(lines[i++] ?? '');
    out.push(`<p>${renderInline(para.join('\n'))}</p>`);
  }
  return out.join('\n');
}
