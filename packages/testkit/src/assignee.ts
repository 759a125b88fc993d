import { parseInboundMessage } from '@rc/mail';
import { sendTestMail } from './send-mail';

/** A request email as the assignee sees it: its buttons' links and its Message-ID. */
export interface ReceivedRequestEmail {
  raw: Buffer;
  messageId: string;
  subject: string;
  completeLink: string;
  failLink: string;
}

/** Reads a request email and pulls out the two button links from its plain-text part. */
export async function readRequestEmail(raw: Buffer): Promise<ReceivedRequestEmail> {
  const parsed = await parseInboundMessage(raw);
  if (!parsed.ok) throw new Error(`request email does not parse: ${parsed.detail}`);
  const { text, messageId, subject } = parsed.message;
  // "<button label>: mailto:…" lines, Complete first (SPEC 3.3); the labels are translated.
  const [completeLink, failLink] = [...text.matchAll(/^[^\n:]+: (mailto:\S+)$/gm)].map(
    (match) => match[1],
  );
  if (!completeLink || !failLink || !messageId)
    throw new Error(`request email lacks button links or a Message-ID:\n${text}`);
  return { raw, messageId, subject, completeLink, failLink };
}

/** What a mail client makes of a mailto: link (RFC 6068): recipient, subject and body. */
export function openMailto(link: string): { to: string; subject: string; body: string } {
  const url = new URL(link);
  return {
    to: decodeURIComponent(url.pathname),
    subject: url.searchParams.get('subject') ?? '',
    body: url.searchParams.get('body') ?? '',
  };
}

/**
 * Clicks a button as a person would: opens the pre-filled answer, types a comment above the
 * marked line and sends it. `edit` lets a test tamper with subject and body before sending.
 */
export async function answerWithButton(
  smtp: { host: string; port: number },
  from: string,
  link: string,
  comment: string,
  edit: (text: string) => string = (text) => text,
): Promise<{ messageId: string }> {
  const draft = openMailto(link);
  return sendTestMail(smtp, {
    from,
    to: draft.to,
    subject: edit(draft.subject),
    text: edit(`${comment}${draft.body}`),
  });
}
