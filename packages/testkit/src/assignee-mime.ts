import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { openMailto } from './assignee';

/** One answer as the assignee's mail client would hand it to their mail server. */
export interface AnswerMail {
  from: string;
  to: string;
  subject: string;
  text: string;
  inReplyTo?: string;
  references?: string;
}

/**
 * The raw MIME of an answer, for mailboxes the test fills directly instead of through SMTP (the
 * Graph fake's `mailbox(…).put`, IMAP APPEND): what a client builds when its user presses Send.
 */
export function answerMime(mail: AnswerMail): Promise<Buffer> {
  return new MailComposer({
    ...mail,
    date: new Date(),
    messageId: `<${crypto.randomUUID()}@${mail.from.split('@')[1] ?? 'client.example'}>`,
  })
    .compile()
    .build();
}

/** A button pressed (see answerWithButton): the pre-filled answer with a comment typed above. */
export function buttonAnswerMime(from: string, link: string, comment: string): Promise<Buffer> {
  const draft = openMailto(link);
  return answerMime({
    from,
    to: draft.to,
    subject: draft.subject,
    text: `${comment}${draft.body}`,
  });
}
