import addressparser from 'nodemailer/lib/addressparser/index.js';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { OutgoingMail } from './mail-transport';

/**
 * The one MIME form of an outgoing email, for every transport: SMTP sends these bytes as they
 * are, and Graph's `sendMail` takes them base64-encoded. Building once is what keeps the signed
 * Message-ID (replies are matched by it), Reply-To and Auto-Submitted identical on both paths.
 */
export async function buildMime(mail: OutgoingMail): Promise<Buffer> {
  const composer = new MailComposer({
    from: mail.from,
    to: mail.to.name ? { name: mail.to.name, address: mail.to.address } : mail.to.address,
    replyTo: mail.replyTo,
    subject: mail.subject,
    text: mail.text,
    html: mail.html,
    messageId: mail.messageId,
    inReplyTo: mail.inReplyTo,
    references: mail.references,
    headers: mail.headers,
    // multipart/mixed around the alternative; the bytes go base64, never re-encoded as text
    ...(mail.attachments?.length
      ? {
          attachments: mail.attachments.map((file) => ({
            filename: file.filename,
            contentType: file.contentType,
            content: file.content,
            contentDisposition: 'attachment' as const,
            contentTransferEncoding: 'base64' as const,
          })),
        }
      : {}),
    // quoted-printable keeps long mailto: lines intact in the text part
    textEncoding: 'quoted-printable',
    // Nothing we send is read from disk or fetched from a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  return composer.compile().build();
}

/** SMTP's envelope (RFC 5321 MAIL FROM / RCPT TO): bare addresses, as RC_MAIL_FROM may carry a name. */
export function envelopeOf(mail: OutgoingMail): { from: string; to: string[] } {
  const [sender] = addressparser(mail.from, { flatten: true });
  return { from: sender?.address || mail.from, to: [mail.to.address] };
}
