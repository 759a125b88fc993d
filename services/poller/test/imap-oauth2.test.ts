import { randomBytes } from 'node:crypto';
import { sharedOAuth2Tokens } from '@rc/microsoft';
import { createLogger, loadConfig, startHost, type Config } from '@rc/runtime';
import {
  countJobs,
  openMailbox,
  startMailStack,
  startMicrosoftFake,
  startRedis,
  waitUntil,
  type MailStack,
  type MicrosoftFake,
  type RedisServer,
} from '@rc/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapSource } from '../src/adapters/imap';
import { startPoller } from '../src/index';

/**
 * RC_IMAP_AUTH=oauth2 for real: Dovecot's oauth2 passdb checks each bearer token by RFC 7662
 * introspection against the local Entra, which issues and revokes them (strict rotation: each
 * refresh token works once).
 */

let redis: RedisServer;
let ms: MicrosoftFake;
let stack: MailStack;
const clientId = crypto.randomUUID();
const clientSecret = randomBytes(12).toString('hex');
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [redis, ms] = await Promise.all([startRedis(), startMicrosoftFake()]);
  ms.registerApp({ clientId, secret: clientSecret });
  stack = await startMailStack({ oauth2: { introspectionUrl: ms.introspectionUrl } });
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await Promise.allSettled([stack?.stop(), ms?.close(), redis?.stop()]);
});

function rawMessage(n: number): string {
  return [
    'From: Alice Example <alice@corp.example>',
    'To: approvals@rc.example',
    `Subject: answer ${n}`,
    `Message-ID: <xoauth2-${n}-${randomBytes(4).toString('hex')}@corp.example>`,
    '',
    'Approve.',
    '',
  ].join('\r\n');
}

describe('IMAP with XOAUTH2', () => {
  it('logs in with a token from the shared manager, survives a revoked access token, and is not ready while the refresh fails', async () => {
    const address = `xoauth-${randomBytes(3).toString('hex')}@rc.example`;
    const prefix = `xo${randomBytes(4).toString('hex')}`;
    const config: Config = loadConfig(
      {
        RC_REDIS_URL: redis.url,
        RC_QUEUE_PREFIX: prefix,
        RC_MAILBOX_ADDRESS: address,
        RC_IMAP_HOST: stack.imap.host,
        RC_IMAP_PORT: String(stack.imap.port),
        RC_IMAP_SECURITY: 'none',
        RC_IMAP_USER: address,
        RC_IMAP_AUTH: 'oauth2',
        RC_OAUTH2_TOKEN_URL: ms.tokenUrl,
        RC_OAUTH2_CLIENT_ID: clientId,
        RC_OAUTH2_CLIENT_SECRET: clientSecret,
        RC_OAUTH2_REFRESH_TOKEN: ms.issueRefreshToken(address, { clientId }),
        RC_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
        RC_TLS_CA_FILE: ms.caFile,
        RC_SIGNING_KEYS: `k1:${'ef'.repeat(24)}`,
        RC_STARTUP_DELAY: '0s',
        RC_SYNC_INTERVAL: '60s',
        RC_HTTP_PORT: '0',
        RC_LOG_LEVEL: 'silent',
      },
      ['poller'],
    );
    const mailbox = await openMailbox(stack, address);
    cleanups.push(() => mailbox.close());
    const inbound = new Queue('inbound', {
      connection: { host: '127.0.0.1', port: redis.port },
      prefix,
    });
    cleanups.push(() => inbound.close());

    // The source is built here, as service.ts builds it, so the test can drop its connection.
    let source: ReturnType<typeof createImapSource> | undefined;
    const host = await startHost(
      config,
      [
        (context) => {
          const tokens = sharedOAuth2Tokens({
            oauth2: config.oauth2!,
            redis: context.redis,
            prefix,
            encryptionKeys: config.encryptionKeys,
            tlsCaFile: config.tlsCaFile,
          });
          source = createImapSource(
            config,
            createLogger({ service: 'test', level: 'silent' }),
            tokens,
          );
          return startPoller(context, {
            source,
            timing: { reconnectBaseMs: 100, reconnectMaxMs: 300 },
          });
        },
      ],
      'poller-xoauth2-test',
    );
    cleanups.push(() => host.close());
    const base = `http://127.0.0.1:${host.http.port}`;
    const tokens = sharedOAuth2Tokens({
      oauth2: config.oauth2!,
      redis: host.context.redis,
      prefix,
      encryptionKeys: config.encryptionKeys,
    });

    await mailbox.append(rawMessage(1));
    await waitUntil('queued over XOAUTH2', async () =>
      (await countJobs(inbound)) === 1 ? true : undefined,
    );
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // The access token the connection logged in with is revoked; the connection drops.
    const refused = await tokens.getAccessToken();
    const refreshes = ms.stats.tokensIssued.refresh_token;
    ms.revokeAccessToken(refused);
    await source!.close();
    await mailbox.append(rawMessage(2));
    await waitUntil(
      'queued after a fresh token',
      async () => ((await countJobs(inbound)) === 2 ? true : undefined),
      10_000,
    );
    expect(await tokens.getAccessToken()).not.toBe(refused);
    expect(ms.stats.tokensIssued.refresh_token).toBe(refreshes + 1);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);

    // Consent withdrawn: every token dies, the refresh fails, readiness names the provider code.
    ms.revokeAll({ user: address });
    await source!.close();
    await waitUntil('not ready', async () => {
      const ready = await fetch(`${base}/readyz`);
      if (ready.ok) return undefined;
      const { checks } = (await ready.json()) as { checks: { name: string; error?: string }[] };
      // First "not usable" (the connection is down), then the refresh's own failure.
      const error = checks.find((check) => check.name === 'mailbox')?.error;
      return error?.includes('invalid_grant') ? error : undefined;
    }).then((error) => expect(error).toMatch(/^OAuth2 token refresh failing: .*invalid_grant/));
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
