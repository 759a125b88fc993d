import { compile } from 'html-to-text';

/**
 * Readable text of an HTML body, for mail that has no text/plain part (Apple Mail and iOS
 * replies are often HTML only) or whose text part is unusable. Blockquotes, and the quote
 * wrappers of Gmail and Yahoo, come out as `> ` lines so that quoted history is recognised like
 * in plain-text mail; link targets and images are left out because the person did not type them
 * (the raw HTML is searched for tokens separately). No word wrap: lines stay as typed, and long
 * tokens are never broken.
 */
export function htmlToReadableText(html: string): string {
  try {
    return convertHtml(html.replace(EMPTY_LINE_BLOCK, EMPTY_LINE));
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

/**
 * `<div><br></div>` is how Gmail, Apple Mail, Outlook on the web and Yahoo write one empty line.
 * html-to-text would render the <br> and the block each as a line break (two empty lines), so
 * such a block becomes a paragraph holding a single no-break space, which renders as one.
 */
const EMPTY_LINE_BLOCK =
  /<(div|p)(\s[^>]*)?>\s*(?:<(?:span|font|o:p)\b[^>]*>\s*)*<br\s*\/?>\s*(?:<\/(?:span|font|o:p)>\s*)*<\/\1>/gi;
const EMPTY_LINE = '<div>&nbsp;</div>';

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
    // Hidden preview text (our own request email has one): nobody sees it, nobody wrote it.
    { selector: '[style*="display:none"]', format: 'skip' },
    { selector: '[style*="display: none"]', format: 'skip' },
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
    // Quote wrappers that hold the attribution and the quoted message: rendered as quotes, so
    // an attribution in any language is recognised as history. Yahoo prefixes its class names.
    { selector: 'div.gmail_quote', format: 'blockquote' },
    { selector: '[class*="yahoo_quoted"]', format: 'blockquote' },
    { selector: 'div.moz-cite-prefix', format: 'blockquote' },
    // GMX and Web.de, Proton Mail, Spark, Zoho Mail
    { selector: 'div[name="quote"]', format: 'blockquote' },
    { selector: 'div.protonmail_quote', format: 'blockquote' },
    { selector: 'div[name="messageReplySection"]', format: 'blockquote' },
    { selector: 'div.zmail_extra', format: 'blockquote' },
  ],
});

/**
 * Where quoted history starts in a reply's HTML, by the wrappers the common clients put
 * around it: Gmail `gmail_quote`, Apple Mail / Thunderbird `<blockquote type="cite">`,
 * Thunderbird `moz-cite-prefix`, Outlook on the web and mobile `divRplyFwdMsg` / `appendonsend`
 * / the reference message container of new Outlook, classic Outlook's and Windows Mail's
 * bordered header block, Yahoo `yahoo_quoted`, GMX / Web.de `div name="quote"`, Proton
 * `protonmail_quote`, Spark `messageReplySection`, Zoho `zmail_extra`, Airmail `airmail_on`.
 * Returns html.length if none.
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
  // Classic Outlook for Windows and Windows Mail put their "From:/Sent:" block in a <div> with
  // this top border (Outlook 2013 and later; Outlook 2007/2010 and Outlook for Mac use #B5C4DF).
  'border-top:solid #e1e1e1',
  'border-top:solid #b5c4df',
  'olk_src_body_section',
  '-----original message-----',
  '原始邮件',
  // GMX / Web.de, Proton Mail, Spark, Zoho Mail, Airmail
  'name="quote"',
  'protonmail_quote',
  'name="messagereplysection"',
  'zmail_extra',
  'airmail_on',
];
