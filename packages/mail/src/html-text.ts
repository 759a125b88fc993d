import { compile } from 'html-to-text';

/**
 * Readable text of an HTML body, for mail that has no text/plain part (Apple Mail and iOS
 * replies are often HTML only). Blockquotes come out as `> ` lines so that quoted history is
 * recognised like in plain-text mail; link targets and images are left out because the person
 * did not type them (the raw HTML is searched for tokens separately). No word wrap: lines stay
 * as typed, and long tokens are never broken.
 */
export function htmlToReadableText(html: string): string {
  try {
    return convertHtml(html);
  } catch {
    // html-to-text recurses; if some input still defeats it, crude text beats no message.
    return html
      .replace(/<br\s*\/?>|<\/(?:p|div|li|tr|h[1-6])>/gi, '\n')
      .replace(/<[^>]*>/g, '')
      .replace(/&nbsp;/g, ' ')
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }
}

const convertHtml = compile({
  wordwrap: false,
  // Deeper nesting is never what someone typed (it is quoted history or an attack); it is cut
  // off instead of recursing until the stack runs out.
  limits: { maxDepth: 200 },
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
    { selector: 'style', format: 'skip' },
    { selector: 'script', format: 'skip' },
    { selector: 'title', format: 'skip' },
    { selector: 'h1', options: { uppercase: false } },
    { selector: 'h2', options: { uppercase: false } },
    { selector: 'h3', options: { uppercase: false } },
    { selector: 'h4', options: { uppercase: false } },
    { selector: 'h5', options: { uppercase: false } },
    { selector: 'h6', options: { uppercase: false } },
    // Layout tables (Outlook, signatures): one cell per line rather than cells run together.
    { selector: 'td', format: 'block' },
    { selector: 'th', format: 'block' },
    { selector: 'hr', format: 'block' },
  ],
});

/**
 * Where quoted history starts in a reply's HTML, by the wrappers the common clients put
 * around it: Gmail `gmail_quote`, Apple Mail / Thunderbird `<blockquote type="cite">`,
 * Thunderbird `moz-cite-prefix`, Outlook `divRplyFwdMsg` / `appendonsend` / the reference
 * message container of new Outlook, Yahoo `yahoo_quoted`. Returns html.length if none.
 */
export function quotedHtmlStart(html: string): number {
  const lower = html.toLowerCase();
  let start = html.length;
  for (const marker of HTML_QUOTE_MARKERS) {
    const at = lower.indexOf(marker);
    // Cut at the tag that carries the marker (it may sit in a class or id attribute).
    if (at >= 0 && at < start) start = Math.max(0, lower.lastIndexOf('<', at));
  }
  return start;
}

const HTML_QUOTE_MARKERS = [
  '<blockquote',
  'gmail_quote',
  'gmail_attr',
  'moz-cite-prefix',
  'divrplyfwdmsg',
  'appendonsend',
  'mail-editor-reference-message-container',
  'yahoo_quoted',
  'outlookmessageheader',
  '-----original message-----',
];
