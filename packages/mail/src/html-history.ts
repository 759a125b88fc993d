import { htmlToReadableText, quotedHtmlStart } from './html-text';
import { quotedHistoryStart } from './quoted-history';

/**
 * Where quoted history starts in a reply's HTML: at the first wrapper a client marks it with
 * (quotedHtmlStart), or, for clients that paste the history unmarked below a separator or a
 * header block (HCL Notes, BlackBerry Hub, Samsung Email, GMX), where the same boundary the text
 * rules find in the rendered HTML begins in the markup. html.length if there is none.
 */
export function htmlHistoryStart(html: string): number {
  const marked = quotedHtmlStart(html);
  if (html.length === 0) return marked;
  const unmarked = unmarkedHistoryStart(html.slice(0, marked));
  return Math.min(marked, unmarked);
}

function unmarkedHistoryStart(html: string): number {
  const lines = htmlToReadableText(html).split('\n');
  const boundary = quotedHistoryStart(lines);
  if (boundary >= lines.length) return html.length;
  const needle = squeeze(lines[boundary] ?? '').slice(0, NEEDLE_LENGTH);
  if (needle.length === 0) return html.length;
  const { text, offsets } = visibleText(html);
  const at = text.indexOf(needle);
  if (at < 0) return html.length;
  const htmlAt = offsets[at] ?? html.length;
  return Math.max(0, html.lastIndexOf('<', htmlAt));
}

/** Enough of the boundary line to find it, short enough not to cross a rendering difference. */
const NEEDLE_LENGTH = 24;

const squeeze = (text: string): string => text.replace(/[\s\u00a0]+/gu, '');

const HIDDEN_ELEMENTS = /^<(head|style|script|title)\b/i;
const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"' };
const ENTITY = /^&(?:#(\d{1,7})|#x([0-9a-f]{1,6})|([a-z]{2,8}));/i;

/**
 * The characters of an HTML text without tags and whitespace, each with its offset in the
 * HTML, so a position found in the text maps back into the markup. Entities are decoded.
 */
function visibleText(html: string): { text: string; offsets: number[] } {
  let text = '';
  const offsets: number[] = [];
  for (let at = 0; at < html.length;) {
    const char = html[at] ?? '';
    if (char === '<') {
      const hidden = HIDDEN_ELEMENTS.exec(html.slice(at, at + 8));
      const close = hidden ? html.toLowerCase().indexOf(`</${hidden[1]!.toLowerCase()}`, at) : at;
      const end = html.indexOf('>', close < 0 ? at : close);
      at = end < 0 ? html.length : end + 1;
      continue;
    }
    if (char === '&') {
      const entity = ENTITY.exec(html.slice(at, at + 12));
      if (entity) {
        const decoded = decodeEntity(entity);
        for (const part of squeeze(decoded)) {
          text += part;
          offsets.push(at);
        }
        at += entity[0].length;
        continue;
      }
    }
    if (!/[\s\u00a0]/u.test(char)) {
      text += char;
      offsets.push(at);
    }
    at += 1;
  }
  return { text, offsets };
}

function decodeEntity(entity: RegExpExecArray): string {
  const [, decimal, hex, name] = entity;
  const code = decimal ? Number(decimal) : hex ? Number.parseInt(hex, 16) : undefined;
  if (code !== undefined) return code <= 0x10ffff ? String.fromCodePoint(code) : '';
  return ENTITIES[(name ?? '').toLowerCase()] ?? entity[0];
}
