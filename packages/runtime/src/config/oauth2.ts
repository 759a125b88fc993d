import type { EncryptionConfig } from './encryption-keys';
import type { MailConfig } from './mail';
import type { ConfigReader } from './reader';
import { hasRole, type ServiceRole } from './roles';

/**
 * XOAUTH2 for IMAP and SMTP. Access tokens are fetched and refreshed, never configured; the
 * refresh token may come from Redis instead (stored by `rc oauth2 login`, or rotated by the
 * provider), so it is optional here.
 */
export interface OAuth2Settings {
  tokenUrl: string;
  clientId: string;
  clientSecret?: string;
  refreshToken?: string;
  scope: string;
}

export interface OAuth2Config {
  oauth2?: OAuth2Settings;
}

/** Microsoft's delegated scopes for IMAP and SMTP; offline_access returns a refresh token. */
export const DEFAULT_OAUTH2_SCOPE =
  'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access';

/** Which of this process's roles log in with XOAUTH2, as the variables that say so. */
function oauth2Users(mail: MailConfig, roles: ServiceRole[]): string[] {
  const users: string[] = [];
  if (hasRole(roles, 'poller') && mail.mailboxSource === 'imap' && mail.imap.auth === 'oauth2')
    users.push('RC_IMAP_AUTH=oauth2');
  if (hasRole(roles, 'sender') && mail.mailTransport === 'smtp' && mail.smtp.auth === 'oauth2')
    users.push('RC_SMTP_AUTH=oauth2');
  return users;
}

export function readOAuth2Config(
  read: ConfigReader,
  roles: ServiceRole[],
  mail: MailConfig,
  { encryptionKeys }: EncryptionConfig,
): OAuth2Config {
  const users = oauth2Users(mail, roles);
  const needed = users.length > 0;
  const why = `with ${users.join(' and ')}`;
  const tokenUrl = read.url(
    'RC_OAUTH2_TOKEN_URL',
    ['https:', 'http:'],
    'https://login.microsoftonline.com/TENANT/oauth2/v2.0/token',
    needed,
    why,
  );
  const clientId = needed
    ? read.required('RC_OAUTH2_CLIENT_ID', '00000000-0000-0000-0000-000000000000', why)
    : (read.string('RC_OAUTH2_CLIENT_ID') ?? '');
  if (needed && encryptionKeys === undefined) {
    read.problem(
      'RC_ENCRYPTION_KEY',
      `is required ${why}: the refresh token the provider rotates is kept in Redis, encrypted with this key, so that every replica and restart uses the newest one`,
      '$(openssl rand -hex 32)',
    );
  }
  if (!needed && tokenUrl === undefined) return {};
  return {
    oauth2: {
      tokenUrl: tokenUrl ?? '',
      clientId,
      clientSecret: read.string('RC_OAUTH2_CLIENT_SECRET'),
      refreshToken: read.string('RC_OAUTH2_REFRESH_TOKEN'),
      scope: read.string('RC_OAUTH2_SCOPE') ?? DEFAULT_OAUTH2_SCOPE,
    },
  };
}
