import { describe, expect, it } from 'vitest';
import { escapeHtml, isSafeUrl, renderInline, renderMarkdown } from './markdown';

/** The tags the renderer may write; anything else in the output is an escape failure. */
const ALLOWED = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code', 'hr', 'strong', 'em', 'del', 'a', 'br']);
function tags(html: string): string[] {
  return [...html.matchAll(/<\/?([a-zA-Z][a-zA-Z0-9]*)/g)].map((m) => (m[1] ?? '').toLowerCase());
}
function attributes(html: string): string[] {
  return [...html.matchAll(/<[a-z0-9]+((?:\s+[a-z-]+="[^"]*")*)\s*>/g)].flatMap((m) => [...(m[1] ?? '').matchAll(/([a-z-]+)="[^"]*"/g)].map((a) => a[1] ?? ''));
}

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;');
    expect(escapeHtml('plain text')).toBe('plain text');
  });
});

describe('isSafeUrl', () => {
  it('allows http(s), mailto, same-site paths and anchors', () => {
    for (const url of ['https://example.com/a?b=1&c=2', 'http://x', 'mailto:ops@example.com', '/docs/upgrade', '#notes']) expect(isSafeUrl(url)).toBe(true);
  });
  it('refuses scripts, data, other schemes, scheme-relative and odd URLs', () => {
    for (const url of ['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'data:text/html,<b>', 'vbscript:x', '//evil.example', '/\\evil.example', 'java\tscript:x', 'ftp://x', 'relative/path'])
      expect(isSafeUrl(url)).toBe(false);
  });
});

describe('renderMarkdown', () => {
  it('renders headings, paragraphs, lists, quotes, code and rules', () => {
    const html = renderMarkdown(
      ['# Release 2.0', '', 'The **big** one, with *style* and `code`.', '', '- first', '- second', '  continued', '', '3. three', '4. four', '', '> quoted _words_', '', '```sh', 'rm -rf <dir>', '```', '', '---'].join('\n'),
    );
    expect(html).toBe(
      [
        '<h1>Release 2.0</h1>',
        '<p>The <strong>big</strong> one, with <em>style</em> and <code>code</code>.</p>',
        '<ul><li>first</li><li>second\ncontinued</li></ul>',
        '<ol start="3"><li>three</li><li>four</li></ol>',
        '<blockquote><p>quoted <em>words</em></p></blockquote>',
        '<pre><code class="language-sh">rm -rf &lt;dir&gt;</code></pre>',
        '<hr>',
      ].join('\n'),
    );
  });

  it('is empty for empty notes', () => {
    expect(renderMarkdown('')).toBe('');
    expect(renderMarkdown(null)).toBe('');
    expect(renderMarkdown(undefined)).toBe('');
    expect(renderMarkdown('\n\n  \n')).toBe('');
  });

  it('escapes raw HTML everywhere: text, headings, lists, code, link labels', () => {
    const hostile = [
      '<script>alert(1)</script>',
      '# <img src=x onerror=alert(1)>',
      '- <iframe src="//evil">',
      '`<b>code</b>`',
      '[<svg onload=alert(1)>](https://example.com)',
      '<a href="javascript:alert(1)">x</a>',
      '"><script>alert(2)</script>',
    ].join('\n\n');
    const html = renderMarkdown(hostile);
    for (const tag of tags(html)) expect(ALLOWED.has(tag)).toBe(true);
    expect(html).not.toMatch(/<(script|img|iframe|svg|a href="javascript)/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('<h1>&lt;img src=x onerror=alert(1)&gt;</h1>');
    expect(html).toContain('<code>&lt;b&gt;code&lt;/b&gt;</code>');
    // Only the renderer's own attributes exist.
    for (const attr of attributes(html)) expect(['href', 'target', 'rel', 'title', 'class', 'start']).toContain(attr);
  });

  it('keeps safe links and turns unsafe ones into text', () => {
    expect(renderInline('[docs](https://example.com/a?b=1&c=2 "The docs")')).toBe(
      '<a href="https://example.com/a?b=1&amp;c=2" title="The docs" target="_blank" rel="noopener noreferrer nofollow">docs</a>',
    );
    expect(renderInline('[upgrade](/docs/upgrade)')).toBe('<a href="/docs/upgrade">upgrade</a>');
    expect(renderInline('[click](javascript:alert(1))')).toBe('click');
    expect(renderInline('[click](data:text/html;base64,PHNjcmlwdD4=)')).toBe('click');
    // A quote cannot end the attribute: it is escaped inside it, so no new attribute appears.
    const html = renderInline('[x](https://e.com/"onmouseover="alert(1))');
    expect(attributes(html)).toEqual(['href', 'target', 'rel']);
    expect(html).toContain('href="https://e.com/&quot;onmouseover=&quot;alert(1)"');
    expect(tags(html).every((t) => ALLOWED.has(t))).toBe(true);
  });

  it('does not apply emphasis inside code or URLs, nor to snake_case words', () => {
    expect(renderInline('`**not bold**`')).toBe('<code>**not bold**</code>');
    expect(renderInline('[a](https://e.com/_x_y_)')).toBe('<a href="https://e.com/_x_y_" target="_blank" rel="noopener noreferrer nofollow">a</a>');
    expect(renderInline('set max_connections_per_host')).toBe('set max_connections_per_host');
    expect(renderInline('**[bold link](/x)** ~~gone~~')).toBe('<strong><a href="/x">bold link</a></strong> <del>gone</del>');
  });

  it('ignores the internal placeholder character in the input', () => {
    expect(renderInline('\u{F8FF}0\u{F8FF} `x`')).toBe('0 <code>x</code>');
  });

  it('keeps line breaks that end in two spaces', () => {
    expect(renderMarkdown('one  \ntwo')).toBe('<p>one<br>\ntwo</p>');
  });

  it('stays fast on hostile input', () => {
    const started = Date.now();
    renderMarkdown(`${'**a '.repeat(5000)}\n\n${'> '.repeat(2000)}x\n\n${'_a '.repeat(5000)}`);
    expect(Date.now() - started).toBeLessThan(2000);
  });
});
