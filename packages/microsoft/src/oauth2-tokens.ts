import { randomUUID } from 'node:crypto';
import { CodedError, errorCodeOf } from '@rc/contracts';
import type { Redis } from 'ioredis';
import { backoffDelay, sleep, type BackoffPolicy } from './backoff';
import { oauth2Metrics } from './oauth2-metrics';
import { OAuth2GrantError, postTokenRequest, tokenAnswerOf } from './oauth2-grant';
import { pickRefreshToken, type RefreshTokenStore } from './refresh-token-store';
import { RedisScript, type OAuth2Settings } from '@rc/runtime';
import { createTlsFetch, type Fetch } from './tls-fetch';

export interface OAuth2TokenStatus {
  ok: boolean;
  /** The provider's error (invalid_grant, …), or network_error / no_refresh_token. */
  errorCode?: string;
  /** One log-safe line: the code and what to fix. */
  message?: string;
  /** Since when the status has been what it is. */
  since: Date;
}

export interface OAuth2TokenManager {
  /** A valid XOAUTH2 access token; refreshed 5 minutes before expiry, once per process. */
  getAccessToken(): Promise<string>;
  /**
   * After the server refused a token: the next getAccessToken refreshes. Pass the refused token
   * so a connection holding an old one cannot discard the fresh token another one just got.
   */
  invalidate(refusedToken?: string): void;
  status(): OAuth2TokenStatus;
}

export interface OAuth2TokenManagerOptions {
  oauth2: OAuth2Settings;
  store: RefreshTokenStore;
  /** For the refresh lock that keeps replicas from spending one rotating token twice. */
  redis: Redis;
  tlsCaFile?: string;
  fetch?: Fetch;
  refreshEarlyMs?: number;
  /** Longer than a token request may take (the request times out at half of it). */
  lockTtlMs?: number;
  backoff?: BackoffPolicy;
  logger?: {
    info(fields: object, message: string): void;
    warn(fields: object, message: string): void;
  };
}

interface Failure {
  error: Error;
  retryAt: number;
  /** The refresh token that failed: a different one (stored by a login) is tried at once. */
  candidate: string | undefined;
}

const RELEASE_LOCK = new RedisScript<number>(
  'oauth2-refresh-unlock',
  `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`,
);

export function createOAuth2TokenManager(options: OAuth2TokenManagerOptions): OAuth2TokenManager {
  const { oauth2, store, redis } = options;
  const fetchImpl = options.fetch ?? createTlsFetch(options.tlsCaFile);
  const refreshEarlyMs = options.refreshEarlyMs ?? 5 * 60_000;
  const lockTtlMs = options.lockTtlMs ?? 30_000;
  const backoff = options.backoff ?? { baseMs: 1_000, capMs: 5 * 60_000 };
  const lockKey = `${store.key}:lock`;
  let current: { token: string; refreshAt: number; expiresAt: number } | undefined;
  let inFlight: Promise<string> | undefined;
  let failure: Failure | undefined;
  let failures = 0;
  // Healthy until a refresh fails: readiness must not flap at start-up before the first use.
  let status: OAuth2TokenStatus = { ok: true, since: new Date() };
  oauth2Metrics().tokenOk.set(1);

  async function candidateNow(): Promise<string | undefined> {
    return pickRefreshToken(await store.read(), oauth2.refreshToken)?.refreshToken;
  }

  /**
   * Strict-rotation providers revoke a refresh token on its first use: two replicas refreshing
   * with the same one would lock one of them out. So the read-refresh-store runs under a short
   * Redis lock, and whoever waited re-reads the token the winner stored.
   */
  async function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
    const owner = randomUUID();
    while (!(await redis.set(lockKey, owner, 'PX', lockTtlMs, 'NX'))) {
      await sleep(50 + Math.random() * 50);
    }
    try {
      return await work();
    } finally {
      await RELEASE_LOCK.run(redis, [lockKey], [owner]).catch(() => undefined);
    }
  }

  async function refreshOnce(): Promise<string> {
    return withRefreshLock(async () => {
      const pick = pickRefreshToken(await store.read(), oauth2.refreshToken);
      if (!pick) {
        throw new OAuth2GrantError(
          'no OAuth2 refresh token: run `pnpm rc oauth2 login` or set RC_OAUTH2_REFRESH_TOKEN',
          'OAUTH2_REFRESH_FAILED',
          'no_refresh_token',
        );
      }
      const { status: httpStatus, body } = await postTokenRequest(
        fetchImpl,
        oauth2.tokenUrl,
        {
          grant_type: 'refresh_token',
          refresh_token: pick.refreshToken,
          client_id: oauth2.clientId,
          client_secret: oauth2.clientSecret,
          scope: oauth2.scope,
        },
        { timeoutMs: lockTtlMs / 2 },
      );
      const answer = tokenAnswerOf(httpStatus, body);
      if (answer.refreshToken && answer.refreshToken !== pick.refreshToken) {
        // Stored before anything else: from this moment the old token may be dead. A crash
        // between the provider's answer and this write loses the new token (sign in again).
        await store.write(answer.refreshToken, oauth2.refreshToken);
      }
      const now = Date.now();
      const lifetimeMs = answer.expiresInSec * 1000;
      current = {
        token: answer.accessToken,
        expiresAt: now + lifetimeMs,
        refreshAt: now + Math.max(lifetimeMs - refreshEarlyMs, lifetimeMs / 2),
      };
      return answer.accessToken;
    });
  }

  function markOk(): void {
    if (!status.ok)
      options.logger?.info(
        { oauth2: { clientId: oauth2.clientId } },
        'OAuth2 token refresh works again',
      );
    failures = 0;
    failure = undefined;
    if (!status.ok) status = { ok: true, since: new Date() };
    oauth2Metrics().tokenOk.set(1);
  }

  async function markFailed(error: Error): Promise<void> {
    const errorCode = error instanceof OAuth2GrantError ? error.providerCode : errorCodeOf(error);
    failures++;
    failure = {
      error,
      retryAt: Date.now() + backoffDelay(failures, backoff),
      candidate: await candidateNow().catch(() => undefined),
    };
    oauth2Metrics().refreshFailures.inc({ code: errorCode });
    oauth2Metrics().tokenOk.set(0);
    if (status.ok || status.errorCode !== errorCode) {
      status = { ok: false, errorCode, message: error.message, since: new Date() };
      options.logger?.warn({ oauth2: { clientId: oauth2.clientId, errorCode } }, error.message);
    }
  }

  async function refresh(): Promise<string> {
    if (failure && Date.now() < failure.retryAt) {
      // Backing off, unless someone stored a different refresh token meanwhile (a login).
      if ((await candidateNow()) === failure.candidate) throw failure.error;
    }
    try {
      const token = await refreshOnce();
      markOk();
      return token;
    } catch (error) {
      const coded =
        error instanceof CodedError
          ? error
          : new CodedError('OAuth2 token refresh failed', 'OAUTH2_REFRESH_FAILED', {
              cause: error,
            });
      await markFailed(coded);
      throw coded;
    }
  }

  return {
    async getAccessToken() {
      if (current && Date.now() < current.refreshAt) return current.token;
      inFlight ??= refresh().finally(() => (inFlight = undefined));
      try {
        return await inFlight;
      } catch (error) {
        // The provider is down but the token we hold is still good: use it, stay not-ready.
        if (current && Date.now() < current.expiresAt - 30_000) return current.token;
        throw error;
      }
    },
    invalidate(refusedToken) {
      if (!refusedToken || current?.token === refusedToken) current = undefined;
    },
    status: () => ({ ...status }),
  };
}
