import { randomBytes } from 'node:crypto';
import { sendGraphError } from './graph-errors';
import { recipientsOf } from './graph-mailbox';
import type { GraphRequest } from './graph-request';
import { readBody, sendEmpty } from './http-util';

export interface SentMail {
  /** the mailbox it was sent from (`/users/{id}/sendMail`) */
  from: string;
  /** every To/Cc/Bcc address */
  recipients: string[];
  /** the MIME message as Graph would transmit it */
  raw: Buffer;
  format: 'mime' | 'json';
  at: Date;
}

interface JsonRecipient {
  emailAddress?: { address?: string; name?: string };
}
interface JsonMessage {
  subject?: string;
  body?: { contentType?: string; content?: string };
  toRecipients?: JsonRecipient[];
  ccRecipients?: JsonRecipient[];
  bccRecipients?: JsonRecipient[];
  replyTo?: JsonRecipient[];
  internetMessageHeaders?: { name: string; value: string }[];
}

/** Strict base64 as Exchange decodes it: line breaks allowed, nothing else. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function addressList(list: JsonRecipient[] | undefined): string {
  return (list ?? [])
    .map((r) => r.emailAddress?.address)
    .filter((a): a is string => typeof a === 'string' && a.includes('@'))
    .join(', ');
}

/** The JSON form turned into MIME the way Exchange would, so it can be delivered like the other. */
function mimeFromJson(from: string, message: JsonMessage): Buffer {
  const domain = from.split('@')[1] ?? 'localhost';
  const lines = [
    `From: ${from}`,
    `To: ${addressList(message.toRecipients)}`,
    ...(message.ccRecipients?.length ? [`Cc: ${addressList(message.ccRecipients)}`] : []),
    ...(message.replyTo?.length ? [`Reply-To: ${addressList(message.replyTo)}`] : []),
    `Subject: ${message.subject ?? ''}`,
    `Message-ID: <${randomBytes(12).toString('hex')}@${domain}>`,
    `Date: ${new Date().toUTCString()}`,
    ...(message.internetMessageHeaders ?? []).map((h) => `${h.name}: ${h.value}`),
    'MIME-Version: 1.0',
    `Content-Type: ${message.body?.contentType?.toLowerCase() === 'html' ? 'text/html' : 'text/plain'}; charset=utf-8`,
    'Content-Transfer-Encoding: 8bit',
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${message.body?.content ?? ''}`);
}

/**
 * `POST /users/{id}/sendMail` (learn.microsoft.com/graph/api/user-sendmail): `text/plain` with a
 * base64 MIME message, or JSON `{message, saveToSentItems}`; 202 means queued, not delivered.
 */
export async function handleSendMail(
  r: GraphRequest,
  maxRequestBytes: number,
  deliver: (mail: SentMail) => void,
): Promise<void> {
  const body = await readBody(r.req);
  if (body.length > maxRequestBytes) {
    sendGraphError(
      r.req,
      r.res,
      413,
      'ErrorRequestEntityTooLarge',
      `The request body is ${body.length} bytes; the limit for one request is ${maxRequestBytes} bytes.`,
    );
    return;
  }
  const contentType = (r.req.headers['content-type'] ?? '').toLowerCase();
  let mail: SentMail;
  let saveToSentItems = true;
  if (contentType.startsWith('text/plain')) {
    const base64 = body.toString('latin1').replace(/[\r\n]/g, '');
    if (base64.length === 0 || !BASE64.test(base64) || base64.length % 4 !== 0) {
      sendGraphError(
        r.req,
        r.res,
        400,
        'ErrorMimeContentInvalidBase64String',
        'Invalid base64 string for MIME content.',
      );
      return;
    }
    const raw = Buffer.from(base64, 'base64');
    mail = {
      from: r.mailbox.user,
      recipients: recipientsOf(raw),
      raw,
      format: 'mime',
      at: new Date(),
    };
  } else if (contentType.startsWith('application/json')) {
    let parsed: { message?: JsonMessage; saveToSentItems?: boolean };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      sendGraphError(r.req, r.res, 400, 'BadRequest', 'Unable to read JSON request payload.');
      return;
    }
    if (!parsed.message) {
      sendGraphError(r.req, r.res, 400, 'ErrorInvalidParameter', 'message is required.');
      return;
    }
    saveToSentItems = parsed.saveToSentItems !== false;
    const raw = mimeFromJson(r.mailbox.user, parsed.message);
    const bcc = addressList(parsed.message.bccRecipients).split(', ').filter(Boolean);
    mail = {
      from: r.mailbox.user,
      recipients: [...recipientsOf(raw), ...bcc],
      raw,
      format: 'json',
      at: new Date(),
    };
  } else {
    sendGraphError(
      r.req,
      r.res,
      415,
      'UnsupportedMediaType',
      `Unsupported content type '${contentType}'.`,
    );
    return;
  }
  if (mail.recipients.length === 0) {
    sendGraphError(
      r.req,
      r.res,
      400,
      'ErrorInvalidRecipients',
      'At least one recipient is not valid., Recipient is not valid.',
    );
    return;
  }
  if (saveToSentItems) r.mailbox.put(mail.raw, mail.at, 'sentitems');
  sendEmpty(r.res, 202);
  // Queued, as in Exchange: delivery happens after the 202, never inside the request.
  setImmediate(() => deliver(mail));
}
