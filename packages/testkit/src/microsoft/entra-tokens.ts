import { createHash, generateKeyPairSync, randomBytes, randomUUID, sign } from 'node:crypto';
import { base64Url } from './http-util';

export type GrantType = 'client_credentials' | 'refresh_token' | 'device_code';

/**
 * Microsoft rotates refresh tokens but leaves the old one valid ('lenient'); most other
 * providers revoke it on first use ('strict'), which is what breaks clients that drop the new one.
 */
export type RefreshTokenRotation = 'strict' | 'lenient';

export interface TokenLifetimes {
  /** fractional seconds allowed, so a test can make tokens expire within a second */
  accessTokenSeconds: number;
  refreshTokenSeconds: number;
}

export interface AccessTokenRecord {
  clientId: string;
  /** the signed-in user (delegated tokens); absent for app-only tokens */
  user?: string;
  audience: string;
  scopes: string[];
  expiresAtMs: number;
  revoked: boolean;
}

interface RefreshTokenRecord {
  clientId: string;
  user: string;
  scopes: string[];
  expiresAtMs: number;
  revoked: boolean;
}

export type RefreshOutcome =
  | { ok: true; user: string; scopes: string[] }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'wrong_client' };

export interface IssuedTokens {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  ext_expires_in: number;
  scope: string;
  refresh_token?: string;
}

const DEFAULT_AUDIENCE = 'https://graph.microsoft.com';
const NON_RESOURCE_SCOPES = new Set(['offline_access', 'openid', 'profile', 'email']);

/** The resource a scope list is for: `https://x/.default` and `https://x/Perm` both mean x. */
export function audienceOfScopes(scopes: string[]): string | undefined {
  const audiences = new Set<string>();
  for (const scope of scopes) {
    if (NON_RESOURCE_SCOPES.has(scope)) continue;
    const match = /^(https?:\/\/[^/]+)\/[^/]+$/.exec(scope);
    audiences.add(match?.[1] ?? DEFAULT_AUDIENCE);
  }
  // Entra issues a token for exactly one resource per request.
  return audiences.size === 1 ? [...audiences][0] : undefined;
}

export function parseScopes(value: string | null): string[] {
  return (value ?? '').split(/\s+/).filter(Boolean);
}

/** Hash keys: a heap dump or a debug print of the maps shows no usable token. */
function keyOf(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/**
 * Issues, looks up and revokes tokens. Access tokens are JWTs shaped like Entra's (so code that
 * peeks at `exp` or `aud` sees the real claims), signed with a key made per fake.
 */
export class EntraTokenStore {
  readonly issued: Record<GrantType, number> = {
    client_credentials: 0,
    refresh_token: 0,
    device_code: 0,
  };
  lifetimes: TokenLifetimes = { accessTokenSeconds: 3600, refreshTokenSeconds: 90 * 24 * 3600 };
  rotation: RefreshTokenRotation = 'strict';

  private readonly accessTokens = new Map<string, AccessTokenRecord>();
  private readonly refreshTokens = new Map<string, RefreshTokenRecord>();
  private readonly signingKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;

  constructor(
    private readonly tenantId: string,
    private readonly issuer: string,
  ) {}

  issueAccessToken(
    record: Omit<AccessTokenRecord, 'expiresAtMs' | 'revoked'>,
    lifetimeSeconds = this.lifetimes.accessTokenSeconds,
  ): { token: string; expiresIn: number } {
    const nowMs = Date.now();
    const expiresAtMs = nowMs + lifetimeSeconds * 1000;
    const claims = {
      aud: record.audience,
      iss: this.issuer,
      iat: Math.floor(nowMs / 1000),
      nbf: Math.floor(nowMs / 1000),
      exp: Math.ceil(expiresAtMs / 1000),
      tid: this.tenantId,
      appid: record.clientId,
      azp: record.clientId,
      oid: randomUUID(),
      uti: base64Url(randomBytes(16)),
      ver: '1.0',
      ...(record.user
        ? { upn: record.user, unique_name: record.user, scp: record.scopes.join(' ') }
        : { roles: ['Mail.ReadWrite', 'Mail.Send'], idtyp: 'app' }),
    };
    const header = base64Url(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid: 'rc-testkit' }));
    const payload = base64Url(JSON.stringify(claims));
    const signature = sign('sha256', Buffer.from(`${header}.${payload}`), {
      key: this.signingKey,
      dsaEncoding: 'ieee-p1363',
    });
    const token = `${header}.${payload}.${base64Url(signature)}`;
    this.accessTokens.set(keyOf(token), { ...record, expiresAtMs, revoked: false });
    return { token, expiresIn: Math.max(1, Math.ceil(lifetimeSeconds)) };
  }

  issueRefreshToken(clientId: string, user: string, scopes: string[]): string {
    // Entra refresh tokens are opaque to clients; only their being replaced matters.
    const token = `0.rc-rt.${base64Url(randomBytes(48))}`;
    this.refreshTokens.set(keyOf(token), {
      clientId,
      user,
      scopes,
      expiresAtMs: Date.now() + this.lifetimes.refreshTokenSeconds * 1000,
      revoked: false,
    });
    return token;
  }

  /** The token response for a grant; a refresh token only when `offline_access` was asked for. */
  grant(
    grantType: GrantType,
    clientId: string,
    audience: string,
    scopes: string[],
    user?: string,
  ): IssuedTokens {
    this.issued[grantType]++;
    const { token, expiresIn } = this.issueAccessToken({
      clientId,
      audience,
      scopes,
      ...(user ? { user } : {}),
    });
    const response: IssuedTokens = {
      token_type: 'Bearer',
      access_token: token,
      expires_in: expiresIn,
      ext_expires_in: expiresIn,
      scope: user ? scopes.join(' ') : `${audience}/.default`,
    };
    if (user && scopes.includes('offline_access')) {
      response.refresh_token = this.issueRefreshToken(clientId, user, scopes);
    }
    return response;
  }

  /** Checks a refresh token and, under strict rotation, revokes it in the same step. */
  redeemRefreshToken(token: string, clientId: string): RefreshOutcome {
    const record = this.refreshTokens.get(keyOf(token));
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.clientId !== clientId) return { ok: false, reason: 'wrong_client' };
    if (record.revoked) return { ok: false, reason: 'revoked' };
    if (record.expiresAtMs <= Date.now()) return { ok: false, reason: 'expired' };
    if (this.rotation === 'strict') record.revoked = true;
    return { ok: true, user: record.user, scopes: record.scopes };
  }

  /** The record of a live access token, or why it is not live. */
  lookupAccessToken(
    token: string,
  ):
    | { ok: true; record: AccessTokenRecord }
    | { ok: false; reason: 'unknown' | 'expired' | 'revoked' } {
    const record = this.accessTokens.get(keyOf(token));
    if (!record) return { ok: false, reason: 'unknown' };
    if (record.revoked) return { ok: false, reason: 'revoked' };
    if (record.expiresAtMs <= Date.now()) return { ok: false, reason: 'expired' };
    return { ok: true, record };
  }

  revokeAccessToken(token: string): void {
    const record = this.accessTokens.get(keyOf(token));
    if (record) record.revoked = true;
  }

  revokeRefreshToken(token: string): void {
    const record = this.refreshTokens.get(keyOf(token));
    if (record) record.revoked = true;
  }

  /** Revokes every token, or only those of one user / one app (like a password reset or consent withdrawal). */
  revokeAll(filter: { user?: string; clientId?: string } = {}): void {
    const matches = (r: { user?: string; clientId: string }): boolean =>
      (filter.user === undefined || r.user === filter.user) &&
      (filter.clientId === undefined || r.clientId === filter.clientId);
    for (const record of this.accessTokens.values()) if (matches(record)) record.revoked = true;
    for (const record of this.refreshTokens.values()) if (matches(record)) record.revoked = true;
  }
}
