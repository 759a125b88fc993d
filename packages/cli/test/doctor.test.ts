import { randomUUID } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import {
  findFreePort,
  openMailbox,
  startMailStack,
  startMicrosoftFake,
  startRedis,
  startWebhookReceiver,
  type MailStack,
  type MicrosoftFake,
  type RedisServer,
  type WebhookReceiver,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  rc,
  rcProcess,
  startTlsSmtpServer,
  type Printed,
  type TestSmtpServer,
} from './cli-harness';

/**
 * `rc doctor` against real servers: Redis, Dovecot, SMTP servers (plain, STARTTLS and implicit
 * TLS with a certificate from a test CA), the Entra/Graph fake and small engine stand-ins. Each
 * misconfiguration must come out as its own line with a fix, and the exit code must say it.
 */

interface Line {
  event?: string;
  check: string;
  status: string;
  detail: string;
  fix?: string;
}

let durableRedis: RedisServer;
let volatileRedis: RedisServer;
let stack: MailStack;
let ms: MicrosoftFake;
let webhook: WebhookReceiver;
let starttlsSmtp: TestSmtpServer;
let implicitTlsSmtp: TestSmtpServer;
let release: { url: string; stop(): Promise<void> };
const mailbox = 'approvals@corp.test';
const smtpPassword = randomUUID();

/** Digital.ai Release's REST API as far as the doctor reads it: GET /api/v1/releases, Basic auth. */
async function startReleaseStandIn(user: string, password: string) {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const server = http.createServer((req, res) => {
    if (!req.url?.startsWith('/api/v1/releases')) return res.writeHead(404).end();
    if (req.headers.authorization !== expected) return res.writeHead(401).end();
    res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  [durableRedis, volatileRedis, stack, ms, webhook] = await Promise.all([
    startRedis({ appendonly: true }),
    startRedis(),
    startMailStack(),
    startMicrosoftFake(),
    startWebhookReceiver(),
  ]);
  const smtpLogin = { user: mailbox, password: smtpPassword, tls: ms.serverTls };
  [starttlsSmtp, implicitTlsSmtp, release] = await Promise.all([
    startTlsSmtpServer({ ...smtpLogin, implicitTls: false }),
    startTlsSmtpServer({ ...smtpLogin, implicitTls: true }),
    startReleaseStandIn('rc-bot', 'release-password'),
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.allSettled([
    durableRedis?.stop(),
    volatileRedis?.stop(),
    stack?.stop(),
    ms?.close(),
    webhook?.stop(),
    starttlsSmtp?.stop(),
    implicitTlsSmtp?.stop(),
    release?.stop(),
  ]);
});

/** A working configuration: plain SMTP relay and Dovecot, the webhook receiver, durable Redis. */
function goodEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    RC_MAILBOX_ADDRESS: mailbox,
    RC_SIGNING_KEYS: `k1:${'s'.repeat(40)}`,
    RC_REDIS_URL: durableRedis.url,
    RC_QUEUE_PREFIX: `doc${randomUUID().slice(0, 8)}`,
    RC_SMTP_HOST: stack.smtp.host,
    RC_SMTP_PORT: String(stack.smtp.port),
    RC_SMTP_SECURITY: 'none',
    RC_IMAP_HOST: stack.imap.host,
    RC_IMAP_PORT: String(stack.imap.port),
    RC_IMAP_SECURITY: 'none',
    RC_IMAP_USER: mailbox,
    RC_IMAP_PASSWORD: stack.password,
    RC_WEBHOOK_URL: webhook.url,
    RC_WEBHOOK_SECRET: 'w'.repeat(32),
    ...extra,
  };
}

function linesOf(printed: Printed): Line[] {
  return printed.json<Line>().filter((line) => line.event === 'check');
}

function line(lines: Line[], check: string): Line {
  const found = lines.find((candidate) => candidate.check === check);
  if (!found) throw new Error(`no line for ${check}: ${JSON.stringify(lines)}`);
  return found;
}

describe('rc doctor', () => {
  it('passes a correct configuration (pnpm rc doctor --json: one JSON object per check), exit 0', async () => {
    webhook.respondWith(200);
    const printed = await rcProcess(['doctor', '--json'], goodEnv());
    expect(printed.code, printed.stderr.join('\n')).toBe(0);
    const lines = linesOf(printed);
    expect(lines.map((l) => l.check)).toEqual([
      'redis',
      'smtp connection',
      'smtp login',
      'imap connection',
      'imap login',
      'imap folder',
      'engine',
    ]);
    expect(lines.filter((l) => l.status !== 'ok')).toEqual([]);
    expect(line(lines, 'redis').detail).toMatch(/AOF/);
    expect(printed.json().at(-1)).toMatchObject({ ok: true, failed: 0 });
    expect(webhook.received.at(-1)?.method).toBe('OPTIONS');
  });

  it('sends a real test email with --send-test, read back from Dovecot', async () => {
    const to = `ops-${randomUUID().slice(0, 6)}@corp.test`;
    const printed = await rc(['doctor', '--send-test', to], goodEnv());
    expect(printed.code, printed.stderr.join('\n')).toBe(0);
    const sent = printed.stdout.find((l) => l.includes('send test'));
    const messageId = /Message-ID (<[^>]+>)/.exec(sent ?? '')?.[1];
    expect(messageId).toBeDefined();
    const inbox = await openMailbox(stack, to);
    try {
      const source = (await inbox.waitFor((raw) => raw.includes(messageId!))).toString();
      expect(source).toMatch(/^Subject: remote-completion: test email/m);
      expect(source).toMatch(/^Auto-Submitted: auto-generated/m);
    } finally {
      await inbox.close();
    }
  });

  it('finds a wrong IMAP password, TLS on a STARTTLS port, Redis without persistence and a webhook 404', async () => {
    webhook.respondWith(404);
    const printed = await rc(
      ['doctor', '--json'],
      goodEnv({
        RC_REDIS_URL: volatileRedis.url,
        RC_IMAP_PASSWORD: 'not-the-password',
        RC_SMTP_PORT: String(starttlsSmtp.port),
        RC_SMTP_SECURITY: 'tls',
        RC_TLS_CA_FILE: ms.caFile,
      }),
    );
    expect(printed.code).toBe(1);
    const lines = linesOf(printed);
    expect(line(lines, 'redis')).toMatchObject({
      status: 'warn',
      fix: expect.stringMatching(/appendonly yes/),
    });
    expect(line(lines, 'redis').detail).toMatch(/no persistence/);
    expect(line(lines, 'smtp connection')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(new RegExp(`port ${starttlsSmtp.port} speaks STARTTLS`)),
      fix: expect.stringMatching(/^set RC_SMTP_SECURITY=starttls/),
    });
    expect(line(lines, 'smtp login').status).toBe('skip');
    expect(line(lines, 'imap login')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(
        /refused the login of approvals@corp.test.*AUTHENTICATIONFAILED/,
      ),
      fix: expect.stringMatching(/RC_IMAP_PASSWORD/),
    });
    expect(line(lines, 'engine')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/RC_WEBHOOK_URL answers 404/),
    });
  });

  it('finds an untrusted certificate, STARTTLS on a TLS port, a missing IMAP folder and a webhook asking for credentials', async () => {
    webhook.respondWith(401);
    const untrusted = await rc(
      ['doctor', '--json'],
      goodEnv({
        RC_SMTP_PORT: String(starttlsSmtp.port),
        RC_SMTP_SECURITY: 'starttls',
        RC_IMAP_FOLDER: 'Approvals',
        RC_AFTER_PROCESSING: 'move:Processed',
      }),
    );
    expect(untrusted.code).toBe(1);
    const lines = linesOf(untrusted);
    expect(line(lines, 'smtp connection')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/certificate of 127\.0\.0\.1:\d+ is not trusted/),
      fix: expect.stringMatching(/RC_TLS_CA_FILE/),
    });
    expect(line(lines, 'imap folder')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/no folder "Approvals".*INBOX/),
      fix: expect.stringMatching(/RC_IMAP_FOLDER/),
    });
    expect(line(lines, 'imap move folder')).toMatchObject({ status: 'warn' });
    expect(line(lines, 'engine')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/answers 401/),
    });

    webhook.respondWith(200);
    const reverse = await rc(
      ['doctor', '--json'],
      goodEnv({
        RC_SMTP_PORT: String(implicitTlsSmtp.port),
        RC_SMTP_SECURITY: 'starttls',
        RC_TLS_CA_FILE: ms.caFile,
      }),
    );
    expect(reverse.code).toBe(1);
    expect(line(linesOf(reverse), 'smtp connection')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/speaks TLS from the first byte/),
      fix: expect.stringMatching(/^set RC_SMTP_SECURITY=tls/),
    });
  });

  it('accepts STARTTLS and implicit TLS with the CA trusted, and names a refused SMTP password with its reply code', async () => {
    for (const [server, security] of [
      [starttlsSmtp, 'starttls'],
      [implicitTlsSmtp, 'tls'],
    ] as const) {
      const env = {
        RC_SMTP_PORT: String(server.port),
        RC_SMTP_SECURITY: security,
        RC_SMTP_USER: mailbox,
        RC_TLS_CA_FILE: ms.caFile,
      };
      const good = await rc(
        ['doctor', '--json', '--service', 'sender'],
        goodEnv({ ...env, RC_SMTP_PASSWORD: smtpPassword }),
      );
      expect(good.code, JSON.stringify(good.stdout)).toBe(0);
      const bad = await rc(
        ['doctor', '--json', '--service', 'sender'],
        goodEnv({ ...env, RC_SMTP_PASSWORD: 'wrong' }),
      );
      expect(bad.code).toBe(1);
      expect(line(linesOf(bad), 'smtp login')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(/refused the login of approvals@corp.test \(535\)/),
        fix: expect.stringMatching(/RC_SMTP_PASSWORD/),
      });
    }
  });

  it('finds Redis unreachable, and Release refusing its credentials or not found', async () => {
    const closedPort = await findFreePort();
    const printed = await rc(
      ['doctor', '--json'],
      goodEnv({
        RC_REDIS_URL: `redis://:redis-secret@127.0.0.1:${closedPort}`,
        RC_ENGINE: 'release',
        RC_RELEASE_URL: release.url,
        RC_RELEASE_USER: 'rc-bot',
        RC_RELEASE_PASSWORD: 'wrong',
      }),
    );
    expect(printed.code).toBe(1);
    const lines = linesOf(printed);
    expect(line(lines, 'redis')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/unreachable \(ECONNREFUSED\)/),
      fix: expect.stringMatching(/RC_REDIS_URL/),
    });
    expect(JSON.stringify(printed.stdout)).not.toContain('redis-secret');
    expect(line(lines, 'engine')).toMatchObject({
      status: 'fail',
      detail: 'Release refused user rc-bot (401)',
      fix: expect.stringMatching(/RC_RELEASE_PASSWORD/),
    });

    const releaseEnv = {
      RC_ENGINE: 'release',
      RC_RELEASE_USER: 'rc-bot',
      RC_RELEASE_PASSWORD: 'release-password',
    };
    const ok = await rc(
      ['doctor', '--json', '--service', 'task-updater'],
      goodEnv({ ...releaseEnv, RC_RELEASE_URL: release.url }),
    );
    expect(ok.code).toBe(0);
    const notFound = await rc(
      ['doctor', '--json', '--service', 'task-updater'],
      goodEnv({ ...releaseEnv, RC_RELEASE_URL: `${release.url}/xlrelease` }),
    );
    expect(line(linesOf(notFound), 'engine')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/no Release API .* \(404\)/),
    });
  });

  it('finds a wrong Graph client secret (AADSTS7000215), a revoked refresh token and a missing scope', async () => {
    const graphApp = randomUUID();
    ms.registerApp({ clientId: graphApp, secret: 'the-right-secret' });
    const oauthApp = randomUUID();
    ms.registerApp({ clientId: oauthApp });
    const refreshToken = ms.issueRefreshToken(mailbox, { clientId: oauthApp });
    ms.revokeRefreshToken(refreshToken);
    const microsoft = {
      RC_TLS_CA_FILE: ms.caFile,
      RC_ENCRYPTION_KEY: 'e'.repeat(64),
      RC_MAIL_TRANSPORT: 'graph',
      RC_GRAPH_TENANT_ID: ms.tenantId,
      RC_GRAPH_CLIENT_ID: graphApp,
      RC_GRAPH_CLIENT_SECRET: 'the-wrong-secret',
      RC_GRAPH_AUTHORITY_HOST: ms.authorityHost,
      RC_GRAPH_BASE_URL: ms.graphBaseUrl,
      RC_IMAP_AUTH: 'oauth2',
      RC_OAUTH2_TOKEN_URL: ms.tokenUrl,
      RC_OAUTH2_CLIENT_ID: oauthApp,
      RC_OAUTH2_REFRESH_TOKEN: refreshToken,
    };
    const printed = await rc(['doctor', '--json'], goodEnv(microsoft));
    expect(printed.code).toBe(1);
    const lines = linesOf(printed);
    expect(line(lines, 'graph token')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/invalid_client AADSTS7000215/),
      fix: expect.stringMatching(/secret VALUE, not its ID/),
    });
    expect(line(lines, 'graph mailbox').status).toBe('skip');
    expect(line(lines, 'oauth2')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/refused the refresh: invalid_grant/),
      fix: expect.stringMatching(/rc oauth2 login/),
    });
    expect(line(lines, 'imap login').status).toBe('skip');
    expect(JSON.stringify(printed.stdout)).not.toMatch(/the-wrong-secret|rc-rt/);

    ms.mailbox(mailbox);
    const imapOnly = ms.issueRefreshToken(mailbox, {
      clientId: oauthApp,
      scopes: ['https://outlook.office.com/IMAP.AccessAsUser.All'],
    });
    const scoped = await rc(
      ['doctor', '--json', '--service', 'sender', '--service', 'poller'],
      goodEnv({
        ...microsoft,
        RC_GRAPH_CLIENT_SECRET: 'the-right-secret',
        RC_MAIL_TRANSPORT: 'smtp',
        RC_SMTP_AUTH: 'oauth2',
        RC_OAUTH2_REFRESH_TOKEN: imapOnly,
        RC_OAUTH2_SCOPE: 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access',
      }),
    );
    expect(line(linesOf(scoped), 'oauth2')).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/lacks SMTP\.Send/),
      fix: expect.stringMatching(
        /add https:\/\/outlook\.office\.com\/SMTP\.Send to RC_OAUTH2_SCOPE/,
      ),
    });
  });

  it('passes Graph with the right secret: token, mailbox and folder', async () => {
    const graphApp = randomUUID();
    ms.registerApp({ clientId: graphApp, secret: 'graph-secret-value' });
    ms.mailbox(mailbox);
    const printed = await rc(
      ['doctor', '--json', '--service', 'sender', '--service', 'poller'],
      goodEnv({
        RC_TLS_CA_FILE: ms.caFile,
        RC_MAIL_TRANSPORT: 'graph',
        RC_MAILBOX_SOURCE: 'graph',
        RC_GRAPH_TENANT_ID: ms.tenantId,
        RC_GRAPH_CLIENT_ID: graphApp,
        RC_GRAPH_CLIENT_SECRET: 'graph-secret-value',
        RC_GRAPH_AUTHORITY_HOST: ms.authorityHost,
        RC_GRAPH_BASE_URL: ms.graphBaseUrl,
      }),
    );
    expect(printed.code, JSON.stringify(printed.stdout)).toBe(0);
    expect(linesOf(printed).map((l) => `${l.check}:${l.status}`)).toEqual([
      'redis:ok',
      'graph token:ok',
      'graph mailbox:ok',
      'graph folder:ok',
    ]);
  });

  it('names a certificate for another host, and gives up on a silent server after --timeout', async () => {
    // The test CA's certificate is for 127.0.0.1 and localhost; Linux routes all of 127/8 to lo.
    const elsewhere = await startTlsSmtpServer({
      tls: ms.serverTls,
      implicitTls: true,
      user: mailbox,
      password: smtpPassword,
      host: '127.0.0.2',
    });
    const silent = net.createServer(() => undefined); // accepts, never speaks
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const started = Date.now();
      const printed = await rc(
        ['doctor', '--json', '--timeout', '1500ms', '--service', 'sender', '--service', 'poller'],
        goodEnv({
          RC_SMTP_HOST: '127.0.0.2',
          RC_SMTP_PORT: String(elsewhere.port),
          RC_SMTP_SECURITY: 'tls',
          RC_TLS_CA_FILE: ms.caFile,
          RC_IMAP_PORT: String((silent.address() as AddressInfo).port),
        }),
      );
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(printed.code).toBe(1);
      const lines = linesOf(printed);
      expect(line(lines, 'smtp connection')).toMatchObject({
        status: 'fail',
        detail: expect.stringMatching(
          /certificate of 127\.0\.0\.2:\d+ is for .*127\.0\.0\.1.*not for 127\.0\.0\.2/,
        ),
        fix: expect.stringMatching(/set RC_SMTP_HOST to a name the certificate holds/),
      });
      expect(line(lines, 'imap connection')).toMatchObject({
        status: 'fail',
        detail: 'no answer within 1.5 s',
        fix: expect.stringMatching(/RC_IMAP_HOST and RC_IMAP_PORT/),
      });
    } finally {
      await elsewhere.stop();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('exits 78 on a bad configuration, one config error line per problem', async () => {
    const printed = await rc(['doctor'], { RC_SIGNING_KEYS: 'short', RC_SMTP_PORT: 'x' });
    expect(printed.code).toBe(78);
    expect(printed.stderr.length).toBeGreaterThanOrEqual(3);
    expect(printed.stderr.every((l) => l.startsWith('config error: '))).toBe(true);
    expect(printed.stdout).toEqual([]);
  });

  it('prints the effective configuration with --config, every secret masked', async () => {
    const env = goodEnv({
      RC_REDIS_URL: `redis://:redis-pass-${randomUUID()}@127.0.0.1:6399`,
      RC_SMTP_USER: mailbox,
      RC_SMTP_PASSWORD: `smtp-${randomUUID()}`,
      RC_API_TOKEN: `api-${randomUUID()}`,
      RC_ENCRYPTION_KEY: 'ab'.repeat(32),
      RC_ENGINE: 'release',
      RC_RELEASE_URL: 'https://release.corp.test',
      RC_RELEASE_TOKEN: `release-${randomUUID()}`,
      RC_OAUTH2_TOKEN_URL: 'https://login.corp.test/token',
      RC_OAUTH2_CLIENT_ID: 'client',
      RC_OAUTH2_CLIENT_SECRET: `oauth-${randomUUID()}`,
      RC_OAUTH2_REFRESH_TOKEN: `refresh-${randomUUID()}`,
      RC_IMAP_AUTH: 'password',
      RC_SMTP_AUTH: 'password',
    });
    const secrets = Object.entries(env)
      .filter(([name]) => /PASSWORD|SECRET|TOKEN$|KEYS?$/.test(name))
      .map(([, value]) => value.replace(/^k1:/, ''));
    for (const args of [
      ['doctor', '--config'],
      ['doctor', '--config', '--json'],
    ]) {
      const printed = await rc(args, env);
      expect(printed.code).toBe(0);
      const text = [...printed.stdout, ...printed.stderr].join('\n');
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).toContain(String(stack.smtp.port));
      expect(text).toContain('127.0.0.1:6399');
      expect(text).toContain('https://login.corp.test/token');
    }
    const shown = (await rc(['doctor', '--config'], env)).stdout;
    expect(shown).toContain('smtp.password = ***');
    expect(shown).toContain('apiToken = ***');
  });
});
