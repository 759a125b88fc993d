import { CodedError } from '@rc/contracts';
import type { Config } from '@rc/runtime';

/**
 * XOAUTH2 access token from a refresh token (RFC 6749 section 6). Fetched on every connect:
 * access tokens live ~1 h and a connection is re-established well within that, so there is
 * no cache to go stale.
 */
export async function fetchOAuth2AccessToken(
  oauth2: NonNullable<Config['oauth2']>,
): Promise<string> {
  if (!oauth2.refreshToken)
    throw new CodedError('RC_OAUTH2_REFRESH_TOKEN is not set', 'OAUTH2_REFRESH_FAILED');
  const body = new URLSearchParams({
    grant_type: 'refresh_token',
    refresh_token: oauth2.refreshToken,
    client_id: oauth2.clientId,
    ...(oauth2.clientSecret ? { client_secret: oauth2.clientSecret } : {}),
  });
  const response = await fetch(oauth2.tokenUrl, {
    method: 'POST',
    body,
    signal: AbortSignal.timeout(15_000),
  });
  const json = (await response.json().catch(() => ({}))) as {
    access_token?: string;
    error?: string;
    error_description?: string;
  };
  if (!response.ok || !json.access_token) {
    throw new Error(
      `OAuth2 token endpoint answered ${response.status}: ${json.error ?? 'no access_token'}`,
    );
  }
  return json.access_token;
}
