import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { SecretBox } from './secret-box';

/**
 * The current OAuth2 refresh token, shared by every replica and kept across restarts: a provider
 * that rotates it on use (Microsoft replaces it, stricter ones revoke the old one) would
 * otherwise leave the configured RC_OAUTH2_REFRESH_TOKEN dead after the first refresh.
 * The whole record is sealed: Redis never sees the token, nor a hash of it.
 */
export interface StoredRefreshToken {
  refreshToken: string;
  /** sha256 of RC_OAUTH2_REFRESH_TOKEN when this was stored (see `pickRefreshToken`). */
  configuredHash?: string;
  storedAt: number;
}

export interface RefreshTokenStore {
  readonly key: string;
  read(): Promise<StoredRefreshToken | undefined>;
  /**
   * `configuredRefreshToken`: the RC_OAUTH2_REFRESH_TOKEN of this process, so a later change of
   * that setting is noticed (pass it from `rc oauth2 login` too).
   */
  write(refreshToken: string, configuredRefreshToken?: string): Promise<void>;
  clear(): Promise<void>;
}

export function refreshTokenKey(prefix: string, clientId: string): string {
  return `${prefix}:oauth2:refresh-token:${clientId}`;
}

export function createRefreshTokenStore(options: {
  redis: Redis;
  /** RC_QUEUE_PREFIX */
  prefix: string;
  clientId: string;
  box: SecretBox;
}): RefreshTokenStore {
  const key = refreshTokenKey(options.prefix, options.clientId);
  return {
    key,
    async read() {
      const sealed = await options.redis.get(key);
      if (!sealed) return undefined;
      return JSON.parse(options.box.open(sealed, key)) as StoredRefreshToken;
    },
    async write(refreshToken, configuredRefreshToken) {
      const record: StoredRefreshToken = {
        refreshToken,
        configuredHash: configuredRefreshToken ? hashToken(configuredRefreshToken) : undefined,
        storedAt: Date.now(),
      };
      await options.redis.set(key, options.box.seal(JSON.stringify(record), key));
    },
    async clear() {
      await options.redis.del(key);
    },
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Which refresh token to use. The stored one is newer than the configured one it came from,
 * unless the operator configured a different token since it was stored (its hash no longer
 * matches): then the operator's new token wins, and the next rotation stores its successor.
 */
export function pickRefreshToken(
  stored: StoredRefreshToken | undefined,
  configured: string | undefined,
): { refreshToken: string; source: 'stored' | 'configured' } | undefined {
  if (stored && (!configured || stored.configuredHash === hashToken(configured))) {
    return { refreshToken: stored.refreshToken, source: 'stored' };
  }
  if (configured) return { refreshToken: configured, source: 'configured' };
  return stored ? { refreshToken: stored.refreshToken, source: 'stored' } : undefined;
}
