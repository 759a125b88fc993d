import nodemailer from 'nodemailer';
import { tlsTrustOptions, type Config, type Logger } from '@rc/runtime';
import type { MailTransport, OutgoingMail } from './mail-transport';

/** nodemailer over SMTP, pooled. TLS certificates are verified; a private CA can be added. */
export function createSmtpTransport(config: Config, logger: Logger): MailTransport {
  const { smtp } = config;
  const auth = config.oauth2
    ? {
        type: 'OAuth2' as const,
        user: smtp.user ?? config.mailboxAddress,
        clientId: config.oauth2.clientId,
        clientSecret: config.oauth2.clientSecret,
        refreshToken: config.oauth2.refreshToken,
        accessUrl: config.oauth2.tokenUrl,
      }
    : smtp.user
      ? { user: smtp.user, pass: smtp.password ?? '' }
      : undefined;
  const transporter = nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.security === 'tls',
    requireTLS: smtp.security === 'starttls',
    ignoreTLS: smtp.security === 'none',
    pool: true,
    maxConnections: 5,
    maxMessages: Infinity,
    auth,
    tls: tlsTrustOptions(config.tlsCaFile),
    // nodemailer masks credentials in its protocol logs
    logger: config.mailDebug ? (logger.child({ protocol: 'smtp' }) as never) : false,
    debug: config.mailDebug,
  });

  return {
    async send(mail: OutgoingMail) {
      await transporter.sendMail({
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
        // quoted-printable keeps long mailto: lines intact in the text part
        textEncoding: 'quoted-printable',
      });
    },
    async verify() {
      await transporter.verify();
    },
    close() {
      transporter.close();
    },
  };
}
