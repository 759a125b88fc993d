import nodemailer from 'nodemailer';
import { CodedError } from '@rc/contracts';
import { tlsTrustOptions, type Config, type Logger } from '@rc/runtime';
import { buildMime, envelopeOf } from './build-mime';
import type { MailTransport, OutgoingMail } from './mail-transport';

/** What the SMTP transport reads from the configuration. */
export type SmtpTransportConfig = Pick<
  Config,
  'smtp' | 'oauth2' | 'mailboxAddress' | 'tlsCaFile' | 'mailDebug'
>;

/** nodemailer over SMTP, pooled. TLS certificates are verified; a private CA can be added. */
export function createSmtpTransport(config: SmtpTransportConfig, logger: Logger): MailTransport {
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
      // The very bytes Graph's sendMail would get (build-mime.ts), so both paths send one message.
      const raw = await buildMime(mail);
      try {
        await transporter.sendMail({ envelope: envelopeOf(mail), raw });
      } catch (error) {
        throw smtpError(error);
      }
    },
    async verify() {
      await transporter.verify();
    },
    close() {
      transporter.close();
    },
  };
}

/** nodemailer's messages quote the server's reply, never our credentials. */
function smtpError(error: unknown): CodedError {
  const message = error instanceof Error ? error.message : String(error);
  const code =
    (error as { code?: unknown } | null)?.code === 'EAUTH' ? 'AUTH_FAILED' : 'MAIL_SEND_FAILED';
  return new CodedError(message, code, { cause: error });
}
