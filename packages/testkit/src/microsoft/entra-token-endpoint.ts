import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { checkClientAssertion, type RegisteredCertificate } from './client-assertion';
import type { DeviceCodeStore } from './device-codes';
import { sendAadstsError } from './entra-errors';
import { audienceOfScopes, parseScopes, type EntraTokenStore } from './entra-tokens';
import { sendJson } from './http-util';

export interface AppRegistration {
  clientId: string;
  secrets: string[];
  certificates: RegisteredCertificate[];
}

export interface EntraContext {
  tenantId: string;
  apps: Map<string, AppRegistration>;
  tokens: EntraTokenStore;
  deviceCodes: DeviceCodeStore;
  /** every URL Entra would accept as a client assertion's `aud` */
  tokenEndpointAudiences(): string[];
}

const ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** client_secret_basic: `Authorization: Basic base64(urlencoded id ":" urlencoded secret)`. */
function basicCredentials(req: IncomingMessage): { id: string; secret: string } | undefined {
  const match = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return {
    id: decodeURIComponent(decoded.slice(0, colon)),
    secret: decodeURIComponent(decoded.slice(colon + 1)),
  };
}

/**
 * Authenticates the client; true when it may proceed. Apps registered without any credential are
 * public clients (device code, refresh) and need none.
 */
function authenticateClient(
  ctx: EntraContext,
  app: AppRegistration,
  form: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  const secret = form.get('client_secret') ?? basicCredentials(req)?.secret;
  const assertion = form.get('client_assertion');
  const isPublic = app.secrets.length === 0 && app.certificates.length === 0;
  if (isPublic && (secret || assertion !== null)) {
    sendAadstsError(
      res,
      'publicClientWithCredential',
      "Client is public so neither 'client_assertion' nor 'client_secret' should be presented.",
    );
    return false;
  }
  if (secret !== undefined && secret !== null) {
    if (app.secrets.some((s) => sameSecret(secret, s))) return true;
    sendAadstsError(
      res,
      'invalidClientSecret',
      `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${app.clientId}'.`,
    );
    return false;
  }
  if (assertion !== null) {
    const refusal =
      form.get('client_assertion_type') !== ASSERTION_TYPE
        ? `client_assertion_type must be ${ASSERTION_TYPE}.`
        : checkClientAssertion(
            assertion,
            app.clientId,
            app.certificates,
            ctx.tokenEndpointAudiences(),
          );
    if (refusal === undefined) return true;
    sendAadstsError(res, 'invalidClientAssertion', refusal);
    return false;
  }
  if (isPublic) return true;
  sendAadstsError(
    res,
    'missingClientCredential',
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  );
  return false;
}

/** `POST /{tenant}/oauth2/v2.0/token` (learn.microsoft.com/entra/identity-platform/v2-oauth2-*). */
export function handleTokenRequest(
  ctx: EntraContext,
  form: URLSearchParams,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const clientId = form.get('client_id') ?? basicCredentials(req)?.id;
  if (!clientId) {
    sendAadstsError(
      res,
      'missingParameter',
      "The request body must contain the following parameter: 'client_id'.",
    );
    return;
  }
  const app = ctx.apps.get(clientId);
  if (!app) {
    sendAadstsError(
      res,
      'unknownApplication',
      `Application with identifier '${clientId}' was not found in the directory '${ctx.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
    );
    return;
  }
  const grantType = form.get('grant_type');
  if (
    grantType !== 'client_credentials' &&
    grantType !== 'refresh_token' &&
    grantType !== DEVICE_CODE_GRANT
  ) {
    sendAadstsError(
      res,
      'unsupportedGrantType',
      `The provided value for the input parameter 'grant_type' is not valid: '${grantType ?? ''}'.`,
    );
    return;
  }
  if (!authenticateClient(ctx, app, form, req, res)) return;

  if (grantType === 'client_credentials') {
    const scopes = parseScopes(form.get('scope'));
    const audience = audienceOfScopes(scopes);
    if (scopes.length !== 1 || !scopes[0]?.endsWith('/.default') || !audience) {
      sendAadstsError(
        res,
        'invalidScope',
        `The provided value for the input parameter 'scope' is not valid. The scope ${scopes.join(' ')} is not valid. The client credentials flow requires a single resource's /.default scope.`,
      );
      return;
    }
    sendJson(res, 200, ctx.tokens.grant('client_credentials', clientId, audience, scopes));
    return;
  }

  if (grantType === 'refresh_token') {
    const outcome = ctx.tokens.redeemRefreshToken(form.get('refresh_token') ?? '', clientId);
    if (!outcome.ok) {
      if (outcome.reason === 'expired') {
        sendAadstsError(
          res,
          'refreshTokenExpired',
          'The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.',
        );
      } else if (outcome.reason === 'revoked') {
        sendAadstsError(
          res,
          'refreshTokenRevoked',
          'The provided grant has expired due to it being revoked, a fresh auth token is needed. The user might have changed or reset their password. The grant was issued on a previous date and the TokensValidFrom date for this user is later.',
        );
      } else {
        sendAadstsError(res, 'invalidGrant', 'Invalid request. Request is malformed or invalid.');
      }
      return;
    }
    grantForUser(ctx, res, 'refresh_token', clientId, outcome.user, form, outcome.scopes);
    return;
  }

  const poll = ctx.deviceCodes.poll(form.get('device_code') ?? '', clientId);
  switch (poll.state) {
    case 'approved':
      grantForUser(ctx, res, 'device_code', clientId, poll.user, form, poll.scopes);
      return;
    case 'pending':
      sendAadstsError(
        res,
        'authorizationPending',
        'The provided request has not yet been authorized by the user. The user must input their code.',
      );
      return;
    case 'denied':
      sendAadstsError(res, 'authorizationDeclined', 'The user has declined authorization.');
      return;
    case 'expired':
      sendAadstsError(
        res,
        'deviceCodeExpired',
        "The provided value for the input parameter 'device_code' is not valid. This device code has expired.",
      );
      return;
    default:
      sendAadstsError(res, 'invalidGrant', 'Invalid request. Request is malformed or invalid.');
  }
}

function grantForUser(
  ctx: EntraContext,
  res: ServerResponse,
  grantType: 'refresh_token' | 'device_code',
  clientId: string,
  user: string,
  form: URLSearchParams,
  grantedScopes: string[],
): void {
  const requested = parseScopes(form.get('scope'));
  const scopes = requested.length > 0 ? requested : grantedScopes;
  // Offline access, once consented, stays with the grant even if a refresh omits it.
  if (grantedScopes.includes('offline_access') && !scopes.includes('offline_access')) {
    scopes.push('offline_access');
  }
  const audience = audienceOfScopes(scopes);
  if (!audience) {
    sendAadstsError(
      res,
      'invalidScope',
      `The provided value for the input parameter 'scope' is not valid. One or more scopes in '${scopes.join(' ')}' are not compatible with each other.`,
    );
    return;
  }
  sendJson(res, 200, ctx.tokens.grant(grantType, clientId, audience, scopes, user));
}
