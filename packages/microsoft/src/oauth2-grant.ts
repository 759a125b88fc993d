import { CodedError, type ErrorCode } from '@rc/contracts';
import { describeEntraError, parseEntraError } from './entra-errors';
import type { Fetch } from './tls-fetch';

export interface TokenAnswer {
  accessToken: string;
  /** Present when the provider rotates (Microsoft: on every use). */
  refreshToken?: string;
  expiresInSec: number;
}

/** A refused or failed token request; `providerCode` is the provider's own error name. */
export class OAuth2GrantError extends CodedError {
  constructor(
    message: string,
    code: ErrorCode,
    readonly providerCode: string,
    readonly aadsts?: number,
  ) {
    super(message, code);
    this.name = 'OAuth2GrantError';
  }
}

/**
 * POST to a token endpoint (RFC 6749 §3.2, form-encoded). The error line carries the provider's
 * code and what to fix, never the request's secrets nor the provider's full description.
 */
export async function postTokenRequest(
  fetchImpl: Fetch,
  url: string,
  params: Record<string, string | undefined>,
  options: { timeoutMs?: number; failureCode?: ErrorCode } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value) form.set(name, value);
  const failureCode = options.failureCode ?? 'OAUTH2_REFRESH_FAILED';
  let response: Response;
  try {
    response = await fetchImpl(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
  } catch (error) {
    const why = (error as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable';
    throw new OAuth2GrantError(`OAuth2 token endpoint ${why}`, failureCode, 'network_error');
  }
  const text = await response.text();
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    // not JSON (a proxy's error page): judged by the status below
  }
  return { status: response.status, body };
}

/** The token-endpoint answer as tokens, or the error it carries. */
export function tokenAnswerOf(
  status: number,
  body: Record<string, unknown>,
  failureCode: ErrorCode = 'OAUTH2_REFRESH_FAILED',
): TokenAnswer {
  const entra = parseEntraError(body);
  if (entra) {
    throw new OAuth2GrantError(
      `OAuth2 token request refused: ${describeEntraError(entra)}`,
      failureCode,
      entra.error,
      entra.aadsts,
    );
  }
  if (status < 200 || status >= 300 || typeof body.access_token !== 'string') {
    throw new OAuth2GrantError(
      `OAuth2 token endpoint answered ${status} without a token`,
      failureCode,
      `http_${status}`,
    );
  }
  const expiresIn = Number(body.expires_in);
  return {
    accessToken: body.access_token,
    refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
    expiresInSec: Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600,
  };
}
