import nodemailer from 'nodemailer';
import type Mail from 'nodemailer/lib/mailer';

export interface TestMessage {
  from: string;
  to: string | string[];
  subject?: string;
  text?: string;
  html?: string;
  headers?: Record<string, string>;
  inReplyTo?: string;
  references?: string | string[];
  /** sent byte for byte; `envelope` is then required */
  raw?: string | Buffer;
  envelope?: { from: string; to: string[] };
}

/** Sends one message through an SMTP server (normally MailStack.smtp) without TLS or AUTH. */
export async function sendTestMail(
  smtp: { host: string; port: number },
  message: TestMessage,
): Promise<{ messageId: string }> {
  if (message.raw !== undefined && message.envelope === undefined) {
    throw new Error('sendTestMail: a raw message needs an explicit envelope { from, to }');
  }
  const transport = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: false,
    ignoreTLS: true,
    logger: false,
  });
  const mail: Mail.Options =
    message.raw !== undefined
      ? { envelope: message.envelope, raw: message.raw }
      : {
          from: message.from,
          to: message.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          headers: message.headers,
          inReplyTo: message.inReplyTo,
          references: message.references,
          envelope: message.envelope,
        };
  try {
    const info = await transport.sendMail(mail);
    // nodemailer resolves when at least one recipient was accepted; a test wants all of them.
    if (info.rejected.length > 0) {
      throw new Error(`sendTestMail: recipients rejected: ${info.rejected.map(String).join(', ')}`);
    }
    const messageId =
      message.raw !== undefined ? (headerMessageId(message.raw) ?? info.messageId) : info.messageId;
    return { messageId };
  } finally {
    transport.close();
  }
}

/** nodemailer invents a Message-ID for raw mail that is not in the bytes sent; use the real one. */
function headerMessageId(raw: string | Buffer): string | undefined {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end === -1 ? text : text.slice(0, end);
  // Unfold continuation lines before matching: Message-ID may be folded onto the next line.
  const match = /^message-id:\s*(<[^>]*>)/im.exec(head.replace(/\r?\n[ \t]+/g, ' '));
  return match?.[1];
}
