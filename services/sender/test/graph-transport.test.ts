import { randomBytes, randomUUID } from 'node:crypto';
import { parseInboundMessage } from '@rc/mail';
import { loadConfig, startHost, type Config, type Host, type Logger } from '@rc/runtime';
import {
  countJobs,
  startMicrosoftFake,
  startRedis,
  waitUntil,
  type MicrosoftFake,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphTransport, GRAPH_SENDMAIL_MAX_BASE64_BYTES } from '../src/adapters/graph';
import { OUTBOUND_HEADERS, type OutgoingMail } from '../src/adapters/mail-transport';
import { startSender } from '../src/service';

/**
 * RC_MAIL_TRANSPORT=graph against the local Entra ID + Graph (written from Microsoft's documents):
 * the MIME form of sendMail, throttling, the size cap, and readiness with bad credentials.
 */

const MAILBOX = 'rc@contoso.test';
let ms: MicrosoftFake;
let redisServer: RedisServer;
const clientId = randomUUID();
const secret = `s3cret-${randomBytes(8).toString('hex')}`;

function graphConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig(
    {
      RC_MAILBOX_ADDRESS: MAILBOX,
      RC_MAIL_TRANSPORT: 'graph',
      RC_GRAPH_TENANT_ID: ms.tenantId,
      RC_GRAPH_CLIENT_ID: clientId,
      RC_GRAPH_CLIENT_SECRET: secret,
      RC_GRAPH_BASE_URL: ms.graphBaseUrl,
      RC_GRAPH_AUTHORITY_HOST: ms.authorityHost,
      RC_TLS_CA_FILE: ms.caFile,
      RC_SIGNING_KEYS: 'k1:' + 'g'.repeat(40),
      RC_REDIS_URL: redisServer.url,
      RC_HTTP_PORT: '0',
      RC_LOG_LEVEL: 'silent',
      RC_RETRY_ATTEMPTS: '5',
      ...overrides,
    },
    ['sender'],
  );
}

/** The lines a transport logs, kept for assertions. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const logger = {
    lines,
    info: (_fields: object, message: string) => lines.push(`info ${message}`),
    warn: (_fields: object, message: string) => lines.push(`warn ${message}`),
    child: () => logger,
  };
  return logger as unknown as Logger & { lines: string[] };
}

function mail(to: string, overrides: Partial<OutgoingMail> = {}): OutgoingMail {
  return {
    from: `"Release Bot" <${MAILBOX}>`,
    to: { address: to, name: 'Alice' },
    replyTo: MAILBOX,
    subject: 'Action required: Deploy',
    text: 'Complete or fail the task.',
    messageId: `<rc-k1-${randomBytes(6).toString('hex')}@contoso.test>`,
    headers: { ...OUTBOUND_HEADERS, 'X-RC-Request-Id': 'req-1' },
    ...overrides,
  };
}

const sentTo = (address: string) => ms.sentMail.filter((sent) => sent.recipients.includes(address));

beforeAll(async () => {
  [ms, redisServer] = await Promise.all([startMicrosoftFake(), startRedis()]);
  ms.registerApp({ clientId, secret });
  ms.mailbox(MAILBOX);
});
afterAll(async () => {
  await Promise.allSettled([ms?.close(), redisServer?.stop()]);
});

describe('the Graph sendMail transport', () => {
  it('sends the MIME it built: signed Message-ID, Reply-To and Auto-Submitted survive', async () => {
    const transport = createGraphTransport(graphConfig(), recordingLogger());
    const outgoing = mail('alice@corp.example');
    await transport.send(outgoing);

    const [sent] = sentTo('alice@corp.example');
    expect(sent).toMatchObject({ from: MAILBOX, format: 'mime' });
    const parsed = await parseInboundMessage(sent!.raw);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.message.messageId).toBe(outgoing.messageId);
    expect(parsed.message.replyTo.map((address) => address.address)).toEqual([MAILBOX]);
    expect(parsed.message.headers.get('auto-submitted')).toEqual(['auto-generated']);
    expect(parsed.message.headers.get('x-rc-request-id')).toEqual(['req-1']);
  });

  it('waits out 429 Retry-After for the whole mailbox and loses nothing', async () => {
    const transport = createGraphTransport(graphConfig(), recordingLogger());
    const throttledBefore = ms.stats.graph.throttled;
    ms.throttle({ count: 1, status: 429, retryAfterSeconds: 0.5, path: /sendMail$/ });
    const started = Date.now();
    const first = transport.send(mail('t1@corp.example'));
    await waitUntil('the first 429', () =>
      ms.stats.graph.throttled > throttledBefore ? true : undefined,
    );
    // Sent while the mailbox is paused: they wait for the Retry-After the first call received.
    const later = ['t2', 't3', 't4'].map((name) => transport.send(mail(`${name}@corp.example`)));
    await Promise.all([first, ...later]);

    for (const name of ['t1', 't2', 't3', 't4'])
      expect(sentTo(`${name}@corp.example`)).toHaveLength(1);
    expect(ms.stats.graph.throttled - throttledBefore).toBe(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(500);
    expect(ms.stats.graph.retryAfterViolations).toEqual([]);
  });

  it('refuses a message over the per-request limit with MAIL_TOO_LARGE, before calling Graph', async () => {
    const transport = createGraphTransport(graphConfig(), recordingLogger());
    const calls = ms.stats.graph.requests.length;
    const huge = randomBytes((GRAPH_SENDMAIL_MAX_BASE64_BYTES * 3) / 4).toString('hex');
    await expect(transport.send(mail('big@corp.example', { text: huge }))).rejects.toMatchObject({
      code: 'MAIL_TOO_LARGE',
    });
    expect(ms.stats.graph.requests.length).toBe(calls);
    expect(sentTo('big@corp.example')).toEqual([]);
  });

  it('is ready with good credentials, and not ready with a wrong secret: one line with AADSTS7000215', async () => {
    await createGraphTransport(graphConfig(), recordingLogger()).verify();

    const logger = recordingLogger();
    const wrong = createGraphTransport(
      graphConfig({ RC_GRAPH_CLIENT_SECRET: 'not-the-secret' }),
      logger,
    );
    const failure = await wrong.verify().then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure?.message).toContain('AADSTS7000215');
    expect(failure?.message).toContain('secret');
    expect(failure?.message).not.toContain('\n');
    expect(failure?.message).not.toContain('not-the-secret');
    await expect(wrong.verify()).rejects.toThrow(/AADSTS7000215/);
    // Probed twice, logged once.
    expect(logger.lines.filter((line) => line.includes('AADSTS7000215'))).toHaveLength(1);
  });

  it('dead-letters a message too large for Graph at its first attempt, and the sender stays up', async () => {
    const config = graphConfig({ RC_QUEUE_PREFIX: `g${randomBytes(4).toString('hex')}` });
    const host: Host = await startHost(config, [(context) => startSender(context)], 'sender');
    try {
      const ready = await fetch(`http://127.0.0.1:${host.http.port}/readyz`);
      expect(await ready.json()).toMatchObject({ status: 'ready' });
      const request = {
        requestId: 'big-1',
        taskId: 'T',
        title: 'Deploy',
        expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
      };
      await host.context.queues.send.add('notice', {
        kind: 'notice',
        to: 'big@corp.example',
        notice: {
          type: 'confirmation',
          request,
          action: 'complete',
          engineResult: 'done',
          comment: randomBytes(GRAPH_SENDMAIL_MAX_BASE64_BYTES / 2).toString('hex'),
        },
      });
      const deadLetters = host.context.queues.deadLetter;
      await waitUntil(
        'the dead letter',
        async () => ((await countJobs(deadLetters)) > 0 ? true : undefined),
        10_000,
      );
      const [dead] = await deadLetters.getJobs(['waiting', 'active', 'completed', 'failed']);
      expect(dead?.data).toMatchObject({ code: 'MAIL_TOO_LARGE', attempts: 1 });
      expect(sentTo('big@corp.example')).toEqual([]);
    } finally {
      await host.close();
    }
  });
});
