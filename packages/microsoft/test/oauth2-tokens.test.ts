import { randomBytes, randomUUID } from 'node:crypto';
import { registry } from '@rc/runtime';
import { startRedis, type RedisServer, startMicrosoftFake, type MicrosoftFake } from '@rc/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOAuth2TokenManager } from '../src/oauth2-tokens';
import { createRefreshTokenStore } from '../src/refresh-token-store';
import { createSecretBox } from '../src/secret-box';
import type { OAuth2Settings } from '@rc/runtime';

const SCOPE =
  'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access';
const box = createSecretBox([{ id: 'k1', key: randomBytes(32) }]);

let ms: MicrosoftFake;
let redisServer: RedisServer;
let redis: Redis;

beforeAll(async () => {
  [ms, redisServer] = await Promise.all([
    startMicrosoftFake({ refreshTokenRotation: 'strict' }),
    startRedis(),
  ]);
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis?.disconnect();
  await Promise.all([ms?.close(), redisServer?.stop()]);
});

/** A public client (no secret) per test, its user signed in once: a fresh refresh token. */
function setUp(prefix = `rc-${randomUUID().slice(0, 8)}`) {
  const clientId = randomUUID();
  ms.registerApp({ clientId });
  const user = `${clientId.slice(0, 8)}@contoso.test`;
  const configured = ms.issueRefreshToken(user, { clientId });
  const oauth2: OAuth2Settings = {
    tokenUrl: ms.tokenUrl,
    clientId,
    refreshToken: configured,
    scope: SCOPE,
  };
  const store = createRefreshTokenStore({ redis, prefix, clientId, box });
  const manager = (settings: OAuth2Settings = oauth2) =>
    createOAuth2TokenManager({
      oauth2: settings,
      store,
      redis,
      tlsCaFile: ms.caFile,
      backoff: { baseMs: 60_000, capMs: 60_000 },
    });
  return { clientId, user, configured, oauth2, store, manager };
}

async function isLive(accessToken: string): Promise<boolean> {
  const response = await fetch(ms.introspectionUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ token: accessToken }).toString(),
  });
  return ((await response.json()) as { active: boolean }).active;
}

/** Every key and value in Redis as text (DUMP could hide clear text in LZF compression). */
async function allRedisValues(): Promise<string> {
  const out: string[] = [];
  for (const key of await redis.keys('*')) {
    const type = await redis.type(key);
    out.push(key);
    if (type === 'string') out.push((await redis.get(key)) ?? '');
    else if (type === 'hash') out.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'list') out.push(...(await redis.lrange(key, 0, -1)));
    else if (type === 'set') out.push(...(await redis.smembers(key)));
    else if (type === 'zset') out.push(...(await redis.zrange(key, 0, -1)));
    else throw new Error(`unexpected ${type} at ${key}`);
  }
  return out.join('\n');
}

describe('XOAUTH2 access tokens', () => {
  it('stores the rotated refresh token sealed, and a restarted manager goes on with it', async () => {
    const { configured, store, manager } = setUp();
    const first = manager();
    const accessToken = await first.getAccessToken();
    expect(await isLive(accessToken)).toBe(true);
    expect(await first.getAccessToken()).toBe(accessToken); // cached, not refreshed again

    const stored = await store.read();
    expect(stored?.refreshToken).toBeDefined();
    expect(stored?.refreshToken).not.toBe(configured);
    const everything = await allRedisValues();
    expect(everything).toContain(store.key); // the scan saw the stored record
    for (const secret of [configured, stored!.refreshToken, accessToken]) {
      expect(everything).not.toContain(secret);
    }

    // A restart: the configured token was revoked by the strict rotation; the stored one is used.
    const restarted = manager();
    expect(await isLive(await restarted.getAccessToken())).toBe(true);
    expect(restarted.status().ok).toBe(true);
  });

  it('two replicas refreshing at once with strict rotation both end with a working token', async () => {
    const { manager } = setUp();
    const before = ms.stats.tokensIssued.refresh_token;
    const [a, b] = await Promise.all([manager().getAccessToken(), manager().getAccessToken()]);
    expect(await isLive(a)).toBe(true);
    expect(await isLive(b)).toBe(true);
    expect(ms.stats.tokensIssued.refresh_token - before).toBe(2);
  });

  it('refreshes once per process however many connections ask, and once more after invalidate', async () => {
    const { manager } = setUp();
    const tokens = manager();
    const before = ms.stats.tokensIssued.refresh_token;
    const burst = await Promise.all(Array.from({ length: 10 }, () => tokens.getAccessToken()));
    expect(new Set(burst).size).toBe(1);
    tokens.invalidate('some-older-token'); // not the current one: ignored
    expect(await tokens.getAccessToken()).toBe(burst[0]);
    ms.revokeAccessToken(burst[0]!);
    tokens.invalidate(burst[0]);
    const renewed = await tokens.getAccessToken();
    expect(renewed).not.toBe(burst[0]);
    expect(await isLive(renewed)).toBe(true);
    expect(ms.stats.tokensIssued.refresh_token - before).toBe(2);
  });

  it('a revoked refresh token: not ok with the provider code and a metric; recovers when a new one is stored', async () => {
    const { user, clientId, configured, store, manager } = setUp();
    const tokens = manager();
    const firstToken = await tokens.getAccessToken();
    ms.revokeAll({ user });
    tokens.invalidate(firstToken);

    const error = await tokens.getAccessToken().catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'OAUTH2_REFRESH_FAILED', providerCode: 'invalid_grant' });
    expect((error as Error).message).toMatch(/AADSTS50173.*rc oauth2 login/);
    const status = tokens.status();
    expect(status).toMatchObject({ ok: false, errorCode: 'invalid_grant' });
    expect(status.since).toBeInstanceOf(Date);
    const metrics = await registry.metrics();
    expect(metrics).toMatch(/rc_oauth2_token_ok 0/);
    expect(metrics).toMatch(/rc_oauth2_refresh_failures_total\{code="invalid_grant"\} [1-9]/);

    // Backing off (a minute here): no new attempt while nothing changed.
    const issued = ms.stats.tokensIssued.refresh_token;
    await expect(tokens.getAccessToken()).rejects.toMatchObject({ code: 'OAUTH2_REFRESH_FAILED' });

    // An operator signs in again (rc oauth2 login stores the new token): picked up at once.
    await store.write(ms.issueRefreshToken(user, { clientId }), configured);
    expect(await isLive(await tokens.getAccessToken())).toBe(true);
    expect(ms.stats.tokensIssued.refresh_token - issued).toBe(1);
    expect(tokens.status().ok).toBe(true);
    expect(await registry.metrics()).toMatch(/rc_oauth2_token_ok 1/);
  });

  it('prefers a newly configured RC_OAUTH2_REFRESH_TOKEN over the one stored from the old', async () => {
    const { user, clientId, oauth2, store, manager } = setUp();
    await manager().getAccessToken();
    const storedBefore = await store.read();
    ms.revokeRefreshToken(storedBefore!.refreshToken); // the stored chain dies
    const fresh = ms.issueRefreshToken(user, { clientId });
    const tokens = manager({ ...oauth2, refreshToken: fresh });
    expect(await isLive(await tokens.getAccessToken())).toBe(true);
    // Its successor is stored, remembered as coming from the new configured token.
    const restarted = manager({ ...oauth2, refreshToken: fresh });
    expect(await isLive(await restarted.getAccessToken())).toBe(true);
  });

  it('without any refresh token says how to get one', async () => {
    const { oauth2, manager } = setUp();
    const error = await manager({ ...oauth2, refreshToken: undefined })
      .getAccessToken()
      .catch((e: Error) => e);
    expect(error).toMatchObject({
      code: 'OAUTH2_REFRESH_FAILED',
      providerCode: 'no_refresh_token',
    });
    expect((error as Error).message).toMatch(/rc oauth2 login/);
  });
});
