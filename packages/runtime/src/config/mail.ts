import type { ConfigReader } from './reader';
import { hasRole, type ServiceRole } from './roles';

export type Security = 'tls' | 'starttls' | 'none';

/** `password`, or XOAUTH2 with an access token from the RC_OAUTH2_* credentials. */
export type MailAuth = 'password' | 'oauth2';

export interface SmtpSettings {
  host: string;
  port: number;
  security: Security;
  user?: string;
  password?: string;
  auth: MailAuth;
}

export interface ImapSettings {
  host: string;
  port: number;
  security: Security;
  user: string;
  password?: string;
  folder: string;
  auth: MailAuth;
  /**
   * RC_IMAP_CHECK_INTERVAL: how often a connection waiting in IDLE asks NOOP whether mail came
   * (servers delay IDLE's news: Dovecot by 500 ms); null = IDLE alone.
   */
  checkIntervalMs: number | null;
}

/** Outgoing mail: SMTP or Graph, and the From of request emails. */
export interface SmtpConfig {
  mailFrom: string;
  mailTransport: 'smtp' | 'graph';
  smtp: SmtpSettings;
}

/** The inbound mailbox: IMAP or Graph. */
export interface ImapConfig {
  mailboxSource: 'imap' | 'graph';
  imap: ImapSettings;
}

/** Mail in and out, and the dedicated mailbox users answer to. */
export type MailConfig = { mailboxAddress: string } & SmtpConfig & ImapConfig;

const SECURITY = ['tls', 'starttls', 'none'] as const;
const AUTH = ['password', 'oauth2'] as const;

export function readMailConfig(read: ConfigReader, roles: ServiceRole[]): MailConfig {
  const mailboxAddress = read
    .required('RC_MAILBOX_ADDRESS', 'approvals@corp.example', 'as the address users answer to')
    .toLowerCase();
  read.email('RC_MAILBOX_ADDRESS', mailboxAddress, 'approvals@corp.example');
  const mailFrom = read.string('RC_MAIL_FROM') ?? mailboxAddress;
  const mailTransport = read.oneOf('RC_MAIL_TRANSPORT', ['smtp', 'graph'] as const, 'smtp');
  const mailboxSource = read.oneOf('RC_MAILBOX_SOURCE', ['imap', 'graph'] as const, 'imap');
  // SPEC 3.1: a configured token endpoint makes XOAUTH2 the default on both sides.
  const defaultAuth: MailAuth =
    read.string('RC_OAUTH2_TOKEN_URL') === undefined ? 'password' : 'oauth2';
  return {
    mailboxAddress,
    mailFrom,
    mailTransport,
    smtp: readSmtp(read, hasRole(roles, 'sender') && mailTransport === 'smtp', defaultAuth),
    mailboxSource,
    imap: readImap(read, hasRole(roles, 'poller') && mailboxSource === 'imap', defaultAuth, {
      mailboxAddress,
    }),
  };
}

function readSmtp(read: ConfigReader, needed: boolean, defaultAuth: MailAuth): SmtpSettings {
  const security = read.oneOf('RC_SMTP_SECURITY', SECURITY, 'starttls');
  return {
    host: needed
      ? read.required('RC_SMTP_HOST', 'smtp.corp.example', 'to send mail over SMTP')
      : (read.string('RC_SMTP_HOST') ?? ''),
    port: read.integer('RC_SMTP_PORT', security === 'tls' ? 465 : 587, 1, 65535, '587'),
    security,
    user: read.string('RC_SMTP_USER'),
    password: read.string('RC_SMTP_PASSWORD'),
    auth: read.oneOf('RC_SMTP_AUTH', AUTH, defaultAuth),
  };
}

function readImap(
  read: ConfigReader,
  needed: boolean,
  defaultAuth: MailAuth,
  { mailboxAddress }: { mailboxAddress: string },
): ImapSettings {
  const security = read.oneOf('RC_IMAP_SECURITY', SECURITY, 'tls');
  const imap: ImapSettings = {
    host: needed
      ? read.required('RC_IMAP_HOST', 'imap.corp.example', 'to read the mailbox over IMAP')
      : (read.string('RC_IMAP_HOST') ?? ''),
    port: read.integer('RC_IMAP_PORT', security === 'tls' ? 993 : 143, 1, 65535, '993'),
    security,
    user: needed
      ? read.required(
          'RC_IMAP_USER',
          mailboxAddress || 'approvals@corp.example',
          'to log in to the mailbox',
        )
      : (read.string('RC_IMAP_USER') ?? ''),
    password: read.string('RC_IMAP_PASSWORD'),
    folder: read.string('RC_IMAP_FOLDER', 'INBOX') ?? 'INBOX',
    auth: read.oneOf('RC_IMAP_AUTH', AUTH, defaultAuth),
    checkIntervalMs: read.durationOrOff('RC_IMAP_CHECK_INTERVAL', '250ms', 50, '250ms'),
  };
  if (needed && imap.auth === 'password' && imap.password === undefined) {
    read.problem(
      'RC_IMAP_PASSWORD',
      'is required to log in to the mailbox with RC_IMAP_AUTH=password (or set RC_IMAP_AUTH=oauth2 and RC_OAUTH2_*)',
      '/run/secrets/imap',
      'RC_IMAP_PASSWORD_FILE',
    );
  }
  return imap;
}
