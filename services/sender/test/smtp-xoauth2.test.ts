import { randomBytes, randomUUID } from 'node:crypto';
import { sharedOAuth2Tokens } from '@rc/microsoft';
import { createLogger, createRedis, loadConfig, type Config, type Redis } from '@rc/runtime';
import {
  openMailbox,
  startMailStack,
  startMicrosoftFake,
  startRedis,
  type MailStack,
  type MicrosoftFake,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTBOUND_HEADERS, type OutgoingMail } from '../src/adapters/mail-transport';
import { createSmtpTransport } from '../src/adapters/smtp';

/**
 * RC_SMTP_AUTH=oauth2 against a real SMTP server that checks each bearer token by RFC 7662
 * introspection at the local Entra ID, which rotates refresh tokens strictly (the old one dies
 * on use): nodemailer gets access tokens from the process's shared manager, never the refresh
 * token, and a refused token is replaced by a fresh one.
 */

let ms: MicrosoftFake;
let redisServer: RedisServer;
let stack: MailStack;
let redis: Redis;
const logger = createLogger({ service: 'test', level: 'silent' });

beforeAll(async () => {
  [ms, redisServer] = await Promise.all([
    startMicrosoftFake({ refreshTokenRotation: 'strict' }),
    startRedis(),
  ]);
  stack = await startMailStack({ oauth2: { introspectionUrl: ms.introspectionUrl } });
  redis = createRedis(redisServer.url, 'client');
});
afterAll(async () => {
  redis?.disconnect();
  await Promise.allSettled([stack?.stop(), ms?.close(), redisServer?.stop()]);
});

/** A mailbox user signed in once (a fresh refresh token) for a new public client. */
function signedInConfig(): Config {
  const clientId = randomUUID();
  ms.registerApp({ clientId });
  const user = `rc-${clientId.slice(0, 8)}@contoso.test`;
  return loadConfig(
    {
      RC_MAILBOX_ADDRESS: user,
      RC_SMTP_HOST: '127.0.0.1',
      RC_SMTP_PORT: String(stack.smtp.port),
      RC_SMTP_SECURITY: 'none',
      RC_SMTP_AUTH: 'oauth2',
      RC_OAUTH2_TOKEN_URL: ms.tokenUrl,
      RC_OAUTH2_CLIENT_ID: clientId,
      RC_OAUTH2_REFRESH_TOKEN: ms.issueRefreshToken(user, { clientId }),
      RC_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
      RC_TLS_CA_FILE: ms.caFile,
      RC_SIGNING_KEYS: 'k1:' + 'x'.repeat(40),
      RC_QUEUE_PREFIX: `x${clientId.slice(0, 8)}`,
    },
    ['sender'],
  );
}

function tokensFor(config: Config) {
  return sharedOAuth2Tokens({
    oauth2: config.oauth2!,
    encryptionKeys: config.encryptionKeys,
    redis,
    prefix: config.queuePrefix,
    tlsCaFile: config.tlsCaFile,
  });
}

function mail(config: Config, to: string): OutgoingMail {
  return {
    from: config.mailFrom,
    to: { address: to },
    subject: `XOAUTH2 ${to}`,
    text: 'sent with a bearer token',
    headers: { ...OUTBOUND_HEADERS },
  };
}

describe('SMTP with XOAUTH2', () => {
  it('sends through a server that checks the token, and after a revocation logs in with a fresh one', async () => {
    const config = signedInConfig();
    const tokens = tokensFor(config);
    expect(tokensFor(config)).toBe(tokens); // one manager per process for this client
    const first = createSmtpTransport(config, logger, { tokens });
    const inbox = await openMailbox(stack, `a-${config.queuePrefix}@corp.example`);
    await first.verify();
    await first.send(mail(config, `a-${config.queuePrefix}@corp.example`));
    await inbox.waitForCount(1);
    first.close();

    const refused = await tokens.getAccessToken();
    ms.revokeAccessToken(refused);
    const refreshesBefore = ms.stats.tokensIssued.refresh_token;
    // A new connection logs in with the token the manager holds, is refused, renews once.
    const second = createSmtpTransport(config, logger, { tokens });
    await second.send(mail(config, `a-${config.queuePrefix}@corp.example`));
    await inbox.waitForCount(2);
    second.close();
    await inbox.close();

    expect(ms.stats.tokensIssued.refresh_token).toBe(refreshesBefore + 1);
    const fresh = await tokens.getAccessToken();
    expect(fresh).not.toBe(refused);
    // The rotated refresh token is in Redis, sealed: neither token appears in clear text.
    const stored = await redis.keys(`${config.queuePrefix}:oauth2:*`);
    expect(stored.length).toBeGreaterThan(0);
    for (const key of stored) {
      const value = (await redis.type(key)) === 'string' ? await redis.get(key) : '';
      expect(value).not.toContain(config.oauth2!.refreshToken!);
      expect(value).not.toContain(fresh);
    }
  });

  it("is not ready while the refresh fails, with the provider's code in one line", async () => {
    const config = signedInConfig();
    const tokens = tokensFor(config);
    const transport = createSmtpTransport(config, logger, { tokens });
    await transport.verify();

    ms.revokeAll({ clientId: config.oauth2!.clientId });
    tokens.invalidate(await tokens.getAccessToken());
    const failure = await transport.verify().then(
      () => undefined,
      (error: Error & { code?: string }) => error,
    );
    expect(failure?.message).toMatch(/invalid_grant/);
    expect(failure?.message).not.toContain('\n');
    expect(failure?.code).toBe('OAUTH2_REFRESH_FAILED');
    expect(tokens.status()).toMatchObject({ ok: false, errorCode: 'invalid_grant' });
    transport.close();
  });
});
