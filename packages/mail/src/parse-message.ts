import type { AddressObject, EmailAddress } from 'mailparser';
import { isMailboxAddress, type ParsedAddress } from './addresses';
import { htmlToReadableText } from './html-text';
import { parseMessageIds } from './message-ids';
import { normalizeAddress } from './whitelist';
import { screenHeaderSection } from './header-screen';
import {
  CALENDAR_TYPES,
  runMailparser,
  type AttachmentSummary,
  type ParsedParts,
} from './run-mailparser';

export interface ParsedMessage {
  /** The From mailbox; null unless From holds exactly one mailbox (never Sender or Reply-To). */
  from: ParsedAddress | null;
  /** Mailboxes in From, counted over all From fields (a second From field is a forgery trick). */
  fromHeaderCount: number;
  replyTo: ParsedAddress[];
  to: ParsedAddress[];
  cc: ParsedAddress[];
  /** RFC 2047 decoded; '' if absent */
  subject: string;
  /** with angle brackets */
  messageId: string | null;
  inReplyTo: string[];
  /** split on whitespace and commas (Exchange joins References with ", ") */
  references: string[];
  /** ISO 8601, null if absent or unparseable */
  date: string | null;
  /**
   * The text/plain body; the HTML body as text when there is no text part, or when the text
   * part is a known-lossy rendering of the HTML (Yahoo Mail's composer runs lines together).
   */
  text: string;
  /** The raw HTML body ('' if none): searched for tokens, never shown. */
  html: string;
  /**
   * Lower-case header name → every value of that field, unfolded, in order. Values are raw
   * (UTF-8 bytes decoded as UTF-8), except Subject, which is RFC 2047 decoded like `subject`.
   */
  headers: Map<string, string[]>;
  /** top-level MIME type, lower case, e.g. 'multipart/report' */
  contentType: string;
  attachmentsCount: number;
  /** MIME types of the attachments, lower case (a bounce carries 'message/delivery-status') */
  attachmentTypes: string[];
  /** File names of the attachments (RFC 2231 and RFC 2047 decoded), '' for an unnamed part. */
  attachmentNames: string[];
  /** The iTIP METHOD (upper case) of each text/calendar part, e.g. 'REPLY' for an "Accepted:". */
  calendarMethods: string[];
}

export type ParseResult =
  { ok: true; message: ParsedMessage } | { ok: false; reason: 'malformed'; detail: string };

/** RFC 5322 field name: printable US-ASCII except colon; obsolete syntax allows WSP before it. */
const FIRST_HEADER_LINE = /^[\x21-\x39\x3b-\x7e]+[ \t]*:/;

/**
 * Parses a raw RFC 5322 message. Never throws and never rejects: whatever bytes arrive, the
 * caller gets either a message or `malformed` with a short detail for the audit record.
 */
export async function parseInboundMessage(raw: Buffer): Promise<ParseResult> {
  try {
    if (!Buffer.isBuffer(raw)) return malformed('input is not a Buffer');
    if (!startsWithHeaderField(raw)) return malformed('no header section');
    const refused = screenHeaderSection(raw);
    if (refused) return malformed(refused);
    const mail = await runMailparser(raw);
    if (!mail.headerLines || mail.headerLines.length === 0) return malformed('no header fields');
    return { ok: true, message: toParsedMessage(mail) };
  } catch (error) {
    return malformed(describeError(error));
  }
}

function malformed(detail: string): ParseResult {
  return { ok: false, reason: 'malformed', detail };
}

function describeError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return `parser error: ${message.slice(0, 200)}`;
}

function startsWithHeaderField(raw: Buffer): boolean {
  const end = raw.indexOf(10);
  const firstLine = raw.toString('latin1', 0, Math.min(end < 0 ? raw.length : end, 1000));
  return FIRST_HEADER_LINE.test(firstLine);
}

function toParsedMessage(mail: ParsedParts): ParsedMessage {
  const headers = collectHeaders(mail);
  const fromFieldCount = headers.get('from')?.length ?? 0;
  const fromMailboxes = addressList(mail.from);
  // mailparser keeps only the last From field; every further field holds at least one mailbox.
  const fromHeaderCount = fromMailboxes.length + Math.max(0, fromFieldCount - 1);
  const onlyFrom = fromHeaderCount === 1 ? fromMailboxes[0] : undefined;
  const html = typeof mail.html === 'string' ? mail.html : '';
  const contentTypeHeader = mail.headers.get('content-type') as { value?: unknown } | undefined;
  return {
    from: onlyFrom && isMailboxAddress(onlyFrom.address) ? onlyFrom : null,
    fromHeaderCount,
    replyTo: addressList(mail.replyTo),
    to: addressList(mail.to),
    cc: addressList(mail.cc),
    subject: typeof mail.subject === 'string' ? mail.subject : '',
    messageId: messageIds(headers.get('message-id'))[0] ?? null,
    inReplyTo: messageIds(headers.get('in-reply-to')),
    references: messageIds(headers.get('references')),
    date: isoDate(headers.get('date')?.[0]),
    text: bodyText(mail.text, html),
    html,
    headers,
    contentType:
      typeof contentTypeHeader?.value === 'string'
        ? contentTypeHeader.value.toLowerCase()
        : 'text/plain',
    attachmentsCount: mail.attachments.length,
    attachmentTypes: mail.attachments.map((attachment) => attachment.contentType),
    attachmentNames: mail.attachments.map((attachment) => attachment.filename ?? ''),
    calendarMethods: mail.attachments.flatMap(calendarMethod),
  };
}

/** RFC 5545 METHOD of a calendar part; read from its first bytes, where METHOD sits. */
function calendarMethod(attachment: AttachmentSummary): string[] {
  if (!CALENDAR_TYPES.has(attachment.contentType)) return [];
  const method = /^METHOD:([A-Za-z-]+)/m.exec(attachment.head.toString('utf8'))?.[1];
  return method ? [method.toUpperCase()] : [];
}

const FOLDING = /\r?\n[ \t]*/g;
const NON_ASCII = /[\x80-\xff]/;

function collectHeaders(mail: ParsedParts): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  for (const { key, line } of mail.headerLines) {
    const colon = line.indexOf(':');
    let value = line
      .slice(colon + 1)
      .replace(FOLDING, ' ')
      .trim();
    // mailsplit hands over header bytes as a binary string; RFC 6532 headers are UTF-8.
    if (NON_ASCII.test(value)) value = Buffer.from(value, 'latin1').toString('utf8');
    const values = headers.get(key);
    if (values) values.push(value);
    else headers.set(key, [value]);
  }
  const subjects = headers.get('subject');
  if (subjects?.length === 1 && typeof mail.subject === 'string') subjects[0] = mail.subject;
  return headers;
}

function messageIds(values: string[] | undefined): string[] {
  if (!values) return [];
  return values.length === 1 ? parseMessageIds(values[0] ?? '') : values.flatMap(parseMessageIds);
}

function isoDate(value: string | undefined): string | null {
  if (!value) return null;
  // mailparser substitutes "now" for an unparseable Date; we would rather say we do not know.
  const time = Date.parse(value);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function addressList(field: AddressObject | AddressObject[] | undefined): ParsedAddress[] {
  if (!field) return [];
  const result: ParsedAddress[] = [];
  const visit = (entries: EmailAddress[]): void => {
    for (const entry of entries) {
      if (entry.group) visit(entry.group);
      else if (entry.address) {
        result.push({ address: normalizeAddress(entry.address), name: (entry.name ?? '').trim() });
      }
    }
  };
  for (const object of Array.isArray(field) ? field : [field]) visit(object.value ?? []);
  return result;
}

function bodyText(text: string | undefined, html: string): string {
  const plain = text ? (text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text) : '';
  if (html.length === 0) return plain;
  if (plain.trim().length === 0 || LOSSY_TEXT_PART.test(html)) return htmlToReadableText(html);
  return plain;
}

/**
 * Yahoo Mail's web composer (its HTML carries `yahoo-style-wrap`) derives the text/plain part
 * by dropping the <div>s it writes per line without a line break: "Approved.Thanks, Mia". The
 * HTML is what the person saw, so it is read instead.
 */
const LOSSY_TEXT_PART = /class="[^"]*yahoo-style-wrap/i;
