import {
  answerWithButton,
  dumpRedis,
  oauth2AppEnv,
  openMailbox,
  startMailStack,
  startMicrosoftFake,
  startRedis,
  startWebhookReceiver,
  waitUntil,
  type MailStack,
  type MicrosoftFake,
  type RedisServer,
  type WebhookReceiver,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coreEnv,
  freePort,
  isRequestEmail,
  loginByDeviceCode,
  MAILBOX,
  requestCompletion,
  startProduct,
  tokensIn,
  waitForHook,
  type RunningProduct,
} from './m365-world';

/**
 * Issue 8, "Done when": the round trip over IMAP + SMTP with XOAUTH2, across a strict
 * refresh-token rotation and a restart of every service. Dovecot and the SMTP peer accept only
 * bearer tokens the local Entra ID reports live (RFC 7662 introspection); the product knows no
 * mailbox password at all, and no refresh token but the one `rc oauth2 login` stored.
 */

let redis: RedisServer;
let webhook: WebhookReceiver;
let ms: MicrosoftFake;
let stack: MailStack;
let env: Record<string, string>;
/** every log of the run: the logins' and each product process's */
const logs: string[] = [];
const running: RunningProduct[] = [];

/**
 * Access tokens live 6 s, so the product refreshes every 3 s (half their life): the refresh
 * token rotates many times in a run, and each refresh revokes the token it spent (strict).
 */
const ACCESS_TOKEN_SECONDS = 6;

beforeAll(async () => {
  ms = await startMicrosoftFake({
    deviceCodeIntervalSeconds: 0,
    accessTokenLifetimeSeconds: ACCESS_TOKEN_SECONDS,
    refreshTokenRotation: 'strict',
  });
  [redis, webhook, stack] = await Promise.all([
    startRedis(),
    startWebhookReceiver(),
    startMailStack({ oauth2: { introspectionUrl: ms.introspectionUrl } }),
  ]);
  env = {
    ...coreEnv({ redisUrl: redis.url, webhookUrl: webhook.url }),
    ...oauth2AppEnv(ms),
    RC_IMAP_HOST: stack.imap.host,
    RC_IMAP_PORT: String(stack.imap.port),
    RC_IMAP_SECURITY: 'none',
    RC_IMAP_USER: MAILBOX,
    RC_IMAP_AUTH: 'oauth2',
    RC_SMTP_HOST: stack.smtp.host,
    RC_SMTP_PORT: String(stack.smtp.port),
    RC_SMTP_SECURITY: 'none',
    RC_SMTP_AUTH: 'oauth2',
    RC_SYNC_INTERVAL: '5s',
    // protocol traces on: tokens must still never reach the log
    RC_LOG_LEVEL: 'debug',
    RC_MAIL_DEBUG: 'true',
  };
}, 60_000);

afterAll(async () => {
  await Promise.allSettled(running.map((product) => product.stop()));
  await Promise.allSettled([stack?.stop(), ms?.close(), webhook?.stop(), redis?.stop()]);
});

/** SPEC 2: each service also runs alone, as its own process. */
const SERVICES = ['sender', 'poller', 'verifier', 'task-updater'] as const;
/** the four services after the restart; the sender serves the API */
let services: RunningProduct[] = [];

async function startProductProcess(script = 'start'): Promise<RunningProduct> {
  const product = startProduct(env, await freePort(), script);
  running.push(product);
  await product.waitReady().catch((error: Error) => {
    throw new Error(`${error.message}\n${product.process.output()}`);
  });
  return product;
}

async function stopProductProcess(product: RunningProduct): Promise<void> {
  await product.stop();
  logs.push(product.process.output());
}

/** A request over SMTP, its email read by the assignee over IMAP, the answer by SMTP. */
async function roundTrip(
  product: RunningProduct,
  assignee: string,
  button: 'complete' | 'fail',
): Promise<void> {
  const mailbox = await openMailbox(stack, assignee);
  try {
    const { requestId, email } = await requestCompletion(product.api, assignee, (id) =>
      mailbox.waitFor((raw) => isRequestEmail(raw, id), 15_000),
    );
    const link = button === 'complete' ? email.completeLink : email.failLink;
    await answerWithButton(stack.smtp, assignee, link, `${button} by ${assignee}\r\n`);
    const hook = await waitForHook(webhook, requestId, 20_000);
    expect(hook.json).toMatchObject({
      event: button === 'complete' ? 'task.completed' : 'task.failed',
      requestId,
      comment: `${button} by ${assignee}`,
    });
  } finally {
    await mailbox.close();
  }
}

/** The sealed refresh token as Redis holds it (ciphertext, never the token). */
async function sealedRefreshToken(): Promise<string> {
  const key = `${env.RC_QUEUE_PREFIX}:oauth2:refresh-token:${env.RC_OAUTH2_CLIENT_ID}`;
  const line = (await dumpRedis(redis.url)).split('\n').find((l) => l.startsWith(`${key} = `));
  if (!line) throw new Error(`no sealed refresh token under ${key}`);
  return line.slice(key.length + 3);
}

describe('Microsoft 365 over IMAP and SMTP with XOAUTH2', () => {
  it('signs in by device code, runs the round trip, survives strict rotation and a restart of every service (pnpm start, then four processes); no token in clear in Redis or the logs', async () => {
    // the scan below would see a token, or a SASL string carrying one, if there were one
    const sample = ms.issueAccessToken('nobody@corp.example');
    const sasl = Buffer.from(`user=${MAILBOX}\u0001auth=Bearer ${sample}\u0001\u0001`);
    for (const leak of [
      sample,
      ms.issueRefreshToken('nobody@corp.example'),
      sasl.toString('base64'),
    ])
      expect(tokensIn(`{"msg":"${leak}"}`), leak).not.toEqual([]);

    logs.push(await loginByDeviceCode(ms, env, MAILBOX));
    const sealedAtLogin = await sealedRefreshToken();

    const first = await startProductProcess();
    await roundTrip(first, 'carol@corp.example', 'complete');
    // several refreshes, each spending the refresh token it used (strict rotation)
    const refreshesBefore = ms.stats.tokensIssued.refresh_token;
    await waitUntil(
      'two more refreshes',
      async () => {
        await first.readyz(); // readiness asks the token manager, as a load balancer would
        return ms.stats.tokensIssued.refresh_token >= refreshesBefore + 2 ? true : undefined;
      },
      20_000,
      500,
    );
    expect(await sealedRefreshToken()).not.toBe(sealedAtLogin);
    await stopProductProcess(first);

    // Every service stopped; the login's token and all but the last rotated one are revoked,
    // and the environment names none: only the one sealed in Redis can work. Back as four
    // processes, the sender's SMTP and the poller's IMAP each refresh on their own, taking
    // turns on the one rotating token through Redis.
    expect(env.RC_OAUTH2_REFRESH_TOKEN).toBeUndefined();
    const refreshesAtRestart = ms.stats.tokensIssued.refresh_token;
    services = await Promise.all(SERVICES.map((name) => startProductProcess(`start:${name}`)));
    const sender = services[0]!;
    await roundTrip(sender, 'dave@corp.example', 'fail');
    expect(ms.stats.tokensIssued.refresh_token).toBeGreaterThan(refreshesAtRestart + 1);
    for (const service of services) expect((await service.readyz()).status).toBe(200);

    const redisText = await dumpRedis(redis.url);
    expect(redisText).toContain(':oauth2:refresh-token:');
    expect(tokensIn(redisText)).toEqual([]);
    const logText = [...logs, ...services.map((service) => service.process.output())].join('\n');
    expect(logText).toContain('"protocol":"imap"'); // the traces really were on
    // both sides logged in with bearer tokens (the SMTP peer would also take mail without AUTH)
    expect(logText).toMatch(/AUTH XOAUTH2 /);
    expect(logText).toMatch(/AUTHENTICATE (XOAUTH2|OAUTHBEARER)/);
    expect(tokensIn(logText)).toEqual([]);
    // no process ever spent a refresh token another had already spent
    expect(logText).not.toMatch(/invalid_grant/);
    expect(logText).not.toContain(env.RC_OAUTH2_CLIENT_SECRET);
    expect(logText).not.toContain(env.RC_ENCRYPTION_KEY);
  }, 90_000);

  it('a revoked refresh token: not ready with the provider’s code, alive; a new login recovers without a restart', async () => {
    // the four services of the test above, still running: the sender asks for a token on
    // each readiness check, so it is the first to hear of the revocation
    const product = services[0]!;
    const outputBefore = product.process.output().length;
    ms.revokeAll({ user: MAILBOX });
    const notReady = await waitUntil(
      'readiness to fail',
      async () => {
        const ready = await product.readyz();
        return ready.status === 503 ? ready.body : undefined;
      },
      20_000,
      250,
    );
    expect(JSON.stringify(notReady)).toMatch(/invalid_grant|AADSTS\d+/);
    // the log line travels through a pipe: it may arrive just after the answer
    const said = await waitUntil(
      'the refusal in the log',
      () => {
        const lines = product.process
          .output()
          .slice(outputBefore)
          .split('\n')
          .filter((line) => /"level":(4|5)0/.test(line) && /invalid_grant|AADSTS\d+/.test(line));
        return lines.length > 0 ? lines : undefined;
      },
      5_000,
    );
    console.log(`revoked refresh token, the log says:\n${said.join('\n')}`);
    expect((await fetch(`${product.base}/healthz`)).status).toBe(200);
    expect(await Promise.race([product.process.exited, Promise.resolve('alive')])).toBe('alive');

    logs.push(await loginByDeviceCode(ms, env, MAILBOX));
    await waitUntil(
      'ready again',
      async () => ((await product.readyz()).status === 200 ? true : undefined),
      20_000,
      250,
    );
    for (const service of services) expect((await service.readyz()).status).toBe(200);
    await roundTrip(product, 'erin@corp.example', 'complete');
    await Promise.all(services.map((service) => stopProductProcess(service)));
    expect(tokensIn(logs.join('\n'))).toEqual([]);
    expect(tokensIn(await dumpRedis(redis.url))).toEqual([]);
  }, 60_000);
});
