import { CodedError } from '@rc/contracts';
import { sleep } from './backoff';
import {
  OAuth2GrantError,
  postTokenRequest,
  tokenAnswerOf,
  type TokenAnswer,
} from './oauth2-grant';
import type { OAuth2Settings } from '@rc/runtime';
import { createTlsFetch, type Fetch } from './tls-fetch';

export interface DeviceCodePrompt {
  userCode: string;
  verificationUri: string;
  /** The provider's ready-made sentence ("To sign in, use a web browser to open …"). */
  message?: string;
  expiresInSec: number;
}

export interface DeviceCodeOptions {
  oauth2: OAuth2Settings;
  /** Shows the user where to go and which code to enter. */
  onPrompt(prompt: DeviceCodePrompt): void;
  /** Default: derived from the token URL (…/oauth2/v2.0/token → …/oauth2/v2.0/devicecode). */
  deviceCodeUrl?: string;
  tlsCaFile?: string;
  fetch?: Fetch;
  signal?: AbortSignal;
}

const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Microsoft's device authorization endpoint sits beside its token endpoint. */
export function deviceCodeUrlFor(tokenUrl: string): string {
  const url = new URL(tokenUrl);
  if (!/\/token$/.test(url.pathname)) {
    throw new CodedError(
      `cannot derive the device-code URL from ${url.origin}${url.pathname}: give it explicitly`,
      'CONFIG_INVALID',
    );
  }
  url.pathname = url.pathname.replace(/\/token$/, '/devicecode');
  return url.toString();
}

/**
 * The OAuth2 device authorization grant (RFC 8628) behind `pnpm rc oauth2 login`: nobody pastes
 * a refresh token by hand. Returns the tokens; the caller stores the refresh token.
 */
export async function runDeviceCodeFlow(
  options: DeviceCodeOptions,
): Promise<TokenAnswer & { refreshToken: string }> {
  const { oauth2 } = options;
  const fetchImpl = options.fetch ?? createTlsFetch(options.tlsCaFile);
  const start = await postTokenRequest(
    fetchImpl,
    options.deviceCodeUrl ?? deviceCodeUrlFor(oauth2.tokenUrl),
    { client_id: oauth2.clientId, scope: oauth2.scope },
    { failureCode: 'AUTH_FAILED' },
  );
  const device = start.body;
  if (start.status !== 200 || typeof device.device_code !== 'string') {
    tokenAnswerOf(start.status, device, 'AUTH_FAILED'); // throws the provider's error
    throw new CodedError(`device-code request answered ${start.status}`, 'AUTH_FAILED');
  }
  const expiresInSec = Number(device.expires_in) || 900;
  options.onPrompt({
    userCode: String(device.user_code),
    verificationUri: String(device.verification_uri ?? device.verification_url),
    message: typeof device.message === 'string' ? device.message : undefined,
    expiresInSec,
  });

  // RFC 8628 §3.5: poll no faster than `interval`; slow_down adds 5 seconds for good.
  const interval = Number(device.interval ?? 5);
  let intervalMs = (Number.isFinite(interval) && interval >= 0 ? interval : 5) * 1000;
  const deadline = Date.now() + expiresInSec * 1000;
  while (Date.now() < deadline) {
    await sleep(intervalMs);
    if (options.signal?.aborted) throw new CodedError('sign-in cancelled', 'AUTH_FAILED');
    const poll = await postTokenRequest(
      fetchImpl,
      oauth2.tokenUrl,
      {
        grant_type: DEVICE_CODE_GRANT,
        device_code: device.device_code,
        client_id: oauth2.clientId,
        client_secret: oauth2.clientSecret,
      },
      { failureCode: 'AUTH_FAILED' },
    );
    try {
      const answer = tokenAnswerOf(poll.status, poll.body, 'AUTH_FAILED');
      if (!answer.refreshToken) {
        throw new CodedError(
          'signed in, but the provider gave no refresh token: add offline_access to RC_OAUTH2_SCOPE',
          'AUTH_FAILED',
        );
      }
      return { ...answer, refreshToken: answer.refreshToken };
    } catch (error) {
      const code = error instanceof OAuth2GrantError ? error.providerCode : undefined;
      if (code === 'authorization_pending') continue;
      if (code === 'slow_down') {
        intervalMs += 5000;
        continue;
      }
      if (code === 'expired_token') {
        throw new CodedError(
          'the sign-in code expired before it was used: run the login again',
          'AUTH_FAILED',
        );
      }
      if (code === 'access_denied' || code === 'authorization_declined') {
        throw new CodedError('the sign-in was declined', 'AUTH_FAILED');
      }
      throw error;
    }
  }
  throw new CodedError(
    'the sign-in code expired before it was used: run the login again',
    'AUTH_FAILED',
  );
}
