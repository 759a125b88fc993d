import { Readable } from 'node:stream';
import { MailParser, type AttachmentStream, type MessageText, type ParsedMail } from 'mailparser';

/**
 * mailparser does the MIME work; these options switch off what we do not use (HTML→text for
 * every message, text→HTML, linkification, cid: → data: URL rewriting), which roughly halves
 * its time. Delivery-status parts stay attachments so a bounce is recognisable by them and
 * their text does not pollute the body.
 */
const PARSER_OPTIONS = {
  skipHtmlToText: true,
  skipTextToHtml: true,
  skipTextLinks: true,
  skipImageLinks: true,
  keepCidLinks: true,
  keepDeliveryStatus: true,
} as const;

/**
 * A Buffer input ends the parser at once, so it always finishes; the watchdog only turns a
 * parser bug that never calls back into a `malformed` result instead of a hung job.
 */
const PARSE_WATCHDOG_MS = 30_000;

/**
 * What verification reads of a parsed message: mailparser's fields, with each attachment's
 * content reduced to what is read of it (a calendar part's first bytes, where METHOD sits).
 */
export interface ParsedParts extends Pick<
  ParsedMail,
  'headers' | 'headerLines' | 'subject' | 'from' | 'to' | 'cc' | 'replyTo' | 'text' | 'html'
> {
  attachments: AttachmentSummary[];
}

export interface AttachmentSummary {
  contentType: string;
  filename: string | undefined;
  /** the first CALENDAR_HEAD_BYTES of a calendar part; empty for any other type */
  head: Buffer;
}

/** RFC 5545 puts METHOD among a VCALENDAR's first properties. */
const CALENDAR_HEAD_BYTES = 4096;

/**
 * mailparser's streaming parser, as its simpleParser drives it, but attachments are drained
 * instead of collected: their content is never needed whole (a 20 MB attachment cost its
 * decoded bytes plus their chunks on top of the raw message). The text and HTML bodies are
 * kept, as simpleParser keeps them. Settles once: mailparser may emit a late 'error' after the
 * end (its listener stays, so such errors are not unhandled).
 */
export function runMailparser(raw: Buffer): Promise<ParsedParts> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const settle = (error: unknown, mail?: ParsedParts): void => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      if (error || !mail) reject(error instanceof Error ? error : new Error(String(error)));
      else resolve(mail);
    };
    const watchdog = setTimeout(
      () => settle(new Error('parser did not finish')),
      PARSE_WATCHDOG_MS,
    );
    watchdog.unref();
    try {
      const parser = new MailParser(PARSER_OPTIONS);
      const mail: ParsedParts = {
        headers: new Map(),
        headerLines: [],
        html: false,
        attachments: [],
      };
      parser.on('error', (error: unknown) => settle(error));
      parser.on('headers', (headers: ParsedMail['headers']) => {
        mail.headers = headers;
        mail.headerLines = (
          parser as unknown as { headerLines: ParsedMail['headerLines'] }
        ).headerLines;
      });
      parser.on('data', (data: AttachmentStream | MessageText) => {
        if (data.type === 'text') {
          if (data.text !== undefined) mail.text = data.text;
          if (typeof data.html === 'string') mail.html = data.html;
        } else mail.attachments.push(drainAttachment(data, settle));
      });
      parser.on('end', () => {
        for (const key of ['subject', 'from', 'to', 'cc', 'reply-to'] as const) {
          const value = mail.headers?.get(key);
          if (value !== undefined)
            Object.assign(mail, { [key === 'reply-to' ? 'replyTo' : key]: value });
        }
        settle(null, mail);
      });
      if (raw.length <= SLICE_BYTES) parser.end(raw);
      else Readable.from(slices(raw)).pipe(parser);
    } catch (error) {
      settle(error);
    }
  });
}

/**
 * The message in views of its bytes (no copies), written with backpressure. Written whole, a
 * large message was copied once more by mailsplit's re-chunking and its base64 body turned into
 * one string as large as itself; in slices every stage holds one slice at a time.
 */
const SLICE_BYTES = 64 * 1024;

function* slices(raw: Buffer): Generator<Buffer> {
  for (let start = 0; start < raw.length; start += SLICE_BYTES)
    yield raw.subarray(start, start + SLICE_BYTES);
}

/** Reads an attachment's content to its end, keeping a calendar part's head only. */
function drainAttachment(
  attachment: AttachmentStream,
  onError: (error: unknown) => void,
): AttachmentSummary {
  const contentType = String(attachment.contentType ?? '').toLowerCase();
  const summary: AttachmentSummary = {
    contentType,
    filename: attachment.filename,
    head: Buffer.alloc(0),
  };
  const keep = CALENDAR_TYPES.has(contentType) ? CALENDAR_HEAD_BYTES : 0;
  const head: Buffer[] = [];
  let kept = 0;
  // a decoding error surfaces here (mailparser forwards it): without a listener it would throw
  attachment.content.on('error', onError);
  attachment.content.on('data', (chunk: Buffer) => {
    if (kept >= keep) return;
    head.push(chunk.subarray(0, keep - kept));
    kept += Math.min(chunk.length, keep - kept);
  });
  // mailparser waits for the release before it goes on, as simpleParser releases at the end
  attachment.content.once('end', () => {
    summary.head = Buffer.concat(head);
    attachment.release();
  });
  return summary;
}

export const CALENDAR_TYPES = new Set(['text/calendar', 'application/ics']);
