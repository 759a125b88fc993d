/** An outgoing email, independent of how it is sent (SMTP, or Graph sendMail). */
export interface OutgoingMail {
  from: string;
  to: { address: string; name?: string };
  replyTo?: string;
  subject: string;
  text: string;
  html?: string;
  /** with angle brackets */
  messageId?: string;
  inReplyTo?: string;
  references?: string[];
  headers: Record<string, string>;
  /** files attached to the request email, names and types already sanitised (attachments.ts) */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
}

export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  /** readiness: can we reach and log in to the server? */
  verify(): Promise<void>;
  close(): void;
}

/**
 * Headers on everything we send. RFC 3834 `Auto-Submitted` and Microsoft's
 * `X-Auto-Response-Suppress` keep out-of-office robots from answering our requests, and the
 * `X-Remote-Completion` stamp lets the verifier recognise our own mail looping back.
 */
export const OUTBOUND_HEADERS = {
  'Auto-Submitted': 'auto-generated',
  'X-Auto-Response-Suppress': 'All',
  'X-Remote-Completion': 'request',
} as const;
