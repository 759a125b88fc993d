import nodemailer from 'nodemailer';
import { CodedError } from '@rc/contracts';
import type { OAuth2TokenManager } from '@rc/microsoft';
import { tlsTrustOptions, type Config, type Logger } from '@rc/runtime';
import { buildMime, envelopeOf } from './build-mime';
import type { MailTransport, OutgoingMail } from './mail-transport';
import { readinessReporter } from './readiness-reporter';

/** What the SMTP transport reads from the configuration. */
export type SmtpTransportConfig = Pick<
  Config,
  'smtp' | 'mailboxAddress' | 'tlsCaFile' | 'mailDebug'
>;

export interface SmtpTransportOptions {
  /** RC_SMTP_AUTH=oauth2: the process's shared XOAUTH2 token manager (sharedOAuth2Tokens) */
  tokens?: Pick<OAuth2TokenManager, 'getAccessToken' | 'invalidate' | 'status'>;
}

/** nodemailer over SMTP, pooled. TLS certificates are verified; a private CA can be added. */
export function createSmtpTransport(
  config: SmtpTransportConfig,
  logger: Logger,
  options: SmtpTransportOptions = {},
): MailTransport {
  const { smtp } = config;
  const { tokens } = options;
  if (smtp.auth === 'oauth2' && !tokens) {
    throw new CodedError('RC_SMTP_AUTH=oauth2 needs an OAuth2 token manager', 'CONFIG_INVALID');
  }
  const user = smtp.user ?? config.mailboxAddress;
  const auth =
    smtp.auth === 'oauth2'
      ? // No refresh token for nodemailer: its own refresh ignores a rotated refresh token.
        { type: 'OAuth2' as const, user }
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
  if (tokens) transporter.set('oauth2_provision_cb', provisionFrom(tokens));
  const readiness = readinessReporter(logger, 'smtp');

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
      await readiness.check(async () => {
        if (tokens) {
          await tokens.getAccessToken();
          // A token still valid while refreshing fails: not ready, with the provider's code.
          const status = tokens.status();
          if (!status.ok) {
            throw new CodedError(
              status.message ?? `OAuth2 token refresh failed: ${status.errorCode}`,
              'OAUTH2_REFRESH_FAILED',
            );
          }
        }
        try {
          await transporter.verify();
        } catch (error) {
          throw smtpError(error);
        }
      });
    },
    close() {
      transporter.close();
    },
  };
}

type ProvisionCallback = (
  this: { accessToken?: unknown } | undefined,
  user: string,
  renew: boolean,
  done: (error: Error | null, accessToken?: string, expires?: number) => void,
) => void;

/**
 * nodemailer asks this for a token on every login of a pooled connection, and again with
 * `renew` after the server refused one. The manager is the cache, so nodemailer is told each
 * token expires at once and asks again next time. nodemailer calls it as a method of the
 * connection's XOAuth2 object, whose `accessToken` is the one just refused: invalidating that
 * token alone keeps a stale connection from discarding a fresh token another one just got.
 */
function provisionFrom(tokens: NonNullable<SmtpTransportOptions['tokens']>): ProvisionCallback {
  return function provision(_user, renew, done) {
    if (renew) {
      const refused = this?.accessToken;
      tokens.invalidate(typeof refused === 'string' ? refused : undefined);
    }
    tokens.getAccessToken().then(
      (accessToken) => done(null, accessToken, Date.now() + 1),
      (error: unknown) => done(error instanceof Error ? error : new Error(String(error))),
    );
  };
}

/**
 * nodemailer's messages quote the server's reply, never our credentials. 552 is the reply to a
 * message over the server's SIZE (RFC 1870): retrying cannot help.
 */
function smtpError(error: unknown): CodedError {
  if (error instanceof CodedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const { code, responseCode } = (error ?? {}) as { code?: unknown; responseCode?: unknown };
  const coded =
    code === 'EAUTH' ? 'AUTH_FAILED' : responseCode === 552 ? 'MAIL_TOO_LARGE' : 'MAIL_SEND_FAILED';
  return new CodedError(message, coded, { cause: error });
}
