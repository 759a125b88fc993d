import { writeFile } from 'node:fs/promises';

/**
 * The oauth2 passdb's own file, in Dovecot 2.3 syntax (2.4 renamed all of it): RFC 7662
 * introspection by POST, and the token's `email` must equal the SASL user.
 */
export async function writeOauth2Conf(file: string, introspectionUrl: string): Promise<void> {
  const settings = [
    'introspection_mode = post',
    `introspection_url = ${introspectionUrl}`,
    'username_attribute = email',
    'active_attribute = active',
    'active_value = true',
  ];
  // Read by the auth process, which runs as the dovecot user.
  await writeFile(file, `${settings.join('\n')}\n`, { mode: 0o644 });
}

/**
 * Closes the password passdb to bearer mechanisms and adds the oauth2 one, so a token is only
 * ever checked by introspection and never compared with the shared password.
 */
export function oauth2Passdb(oauth2Conf: string): string {
  return `  mechanisms = plain login
}
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${oauth2Conf}
`;
}

/**
 * Goes first: tests refuse tokens on purpose, and since 2.3 Dovecot's auth penalty delays every
 * later login from 127.0.0.1 by 2, 4, 8 … 15 s after each failure (Upgrading.2.3, "Localhost
 * Auth Penalty"); this passdb authenticates nobody and only switches the penalty off.
 */
export const NO_PENALTY_PASSDB = `passdb {
  driver = static
  args = noauthenticate=y nodelay=yes
}
`;
