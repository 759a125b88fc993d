import { createLogger, createRedis, metrics, type Redis } from '@rc/runtime';
import { RequestStore, storedRequestFromJob } from '@rc/store';
import { findAnswerTokens, parseSigningKeys, verifyAnswerToken } from '@rc/tokens';
import { parseInboundMessage } from '@rc/mail';
import {
  openMailbox,
  sleep,
  startMailStack,
  startRedis,
  type MailStack,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSmtpTransport } from '../src/adapters/smtp';
import type { MailTransport } from '../src/adapters/mail-transport';
import { processSendJob, type SenderDeps } from '../src/process';
import { loadConfig } from '@rc/runtime';

let redisServer: RedisServer;
let stack: MailStack;
let redis: Redis;
let transport: MailTransport;

beforeAll(async () => {
  [redisServer, stack] = await Promise.all([startRedis(), startMailStack()]);
  redis = createRedis(redisServer.url, 'client');
  const config = loadConfig(
    {
      RC_MAILBOX_ADDRESS: 'approvals@rc.example',
      RC_SMTP_HOST: '127.0.0.1',
      RC_SMTP_PORT: String(stack.smtp.port),
      RC_SMTP_SECURITY: 'none',
      RC_SIGNING_KEYS: 'k1:' + 'c'.repeat(40),
    },
    ['sender'],
  );
  transport = createSmtpTransport(config, createLogger({ service: 'test', level: 'silent' }));
});
afterAll(async () => {
  transport?.close();
  await redis?.quit();
  await Promise.allSettled([stack?.stop(), redisServer?.stop()]);
});

function deps(prefix: string): SenderDeps {
  return {
    store: new RequestStore(redis, prefix),
    transport,
    config: {
      keyring: parseSigningKeys('k1:' + 'c'.repeat(40)).keyring!,
      mailboxAddress: 'approvals@rc.example',
      mailFrom: 'approvals@rc.example',
      requestTtlMs: 86_400_000,
      whitelist: { enabled: true, domains: ['corp.example'] },
    },
    logger: createLogger({ service: 'test', level: 'silent' }),
  };
}

describe('the send processor', () => {
  it('never emails an assignee outside the whitelist, even when the job bypassed the intake', async () => {
    const inside = await openMailbox(stack, 'ok@corp.example');
    const outside = await openMailbox(stack, 'eve@evil.example');
    const d = deps('sp1');
    await processSendJob(
      {
        kind: 'request',
        request: {
          requestId: 'wl-1',
          taskId: 'T',
          title: 'Deploy',
          assignees: [{ email: 'ok@corp.example' }, { email: 'eve@evil.example' }],
        },
        requestedAt: new Date().toISOString(),
      },
      d,
    );
    await inside.waitForCount(1);
    expect(await outside.count()).toBe(0);
    const events = await d.store.events('wl-1');
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'email_sent', actor: 'ok@corp.example' }),
        expect.objectContaining({ type: 'email_failed', actor: 'eve@evil.example' }),
      ]),
    );
    await Promise.all([inside.close(), outside.close()]);
  });

  it('emails each assignee once when the job is retried', async () => {
    const inbox = await openMailbox(stack, 'twice@corp.example');
    const d = deps('sp2');
    const job = {
      kind: 'request' as const,
      request: {
        requestId: 'retry-1',
        taskId: 'T',
        title: 'Deploy',
        assignees: [{ email: 'twice@corp.example' }],
      },
      requestedAt: new Date().toISOString(),
    };
    await processSendJob(job, d);
    await processSendJob(job, d);
    await inbox.waitForCount(1);
    await sleep(300);
    expect(await inbox.count()).toBe(1);
    await inbox.close();
  });

  it('sends the request email over SMTP with its signed Message-ID and Reply-To the mailbox', async () => {
    const inbox = await openMailbox(stack, 'signed@corp.example');
    const d = deps('sp6');
    await processSendJob(
      {
        ...requestJob('signed-1', 'signed@corp.example', 'queue'),
        request: {
          requestId: 'signed-1',
          taskId: 'T',
          title: 'Deploy',
          assignees: [{ email: 'signed@corp.example', name: 'Sig Ned' }],
        },
      },
      { ...d, config: { ...d.config, mailFrom: '"Release Bot" <bot@rc.example>' } },
    );
    const parsed = await parseInboundMessage(await inbox.waitFor(() => true));
    if (!parsed.ok) throw new Error(parsed.detail);
    const { message } = parsed;
    const [token] = findAnswerTokens(message.messageId ?? '');
    expect(message.messageId).toMatch(/@rc\.example>$/);
    expect(token && verifyAnswerToken(d.config.keyring, token)).toBe(true);
    expect(token?.action).toBe('reply');
    expect(message.from).toMatchObject({ address: 'bot@rc.example', name: 'Release Bot' });
    expect(message.to).toEqual([{ address: 'signed@corp.example', name: 'Sig Ned' }]);
    expect(message.replyTo.map((address) => address.address)).toEqual(['approvals@rc.example']);
    expect(message.headers.get('auto-submitted')).toEqual(['auto-generated']);
    expect(message.headers.get('x-remote-completion')).toEqual(['request']);
    expect(message.headers.get('x-rc-request-id')).toEqual(['signed-1']);
    await inbox.close();
  });

  it('counts a request queued by a Node engine once, however often its job is retried', async () => {
    const d = deps('sp3');
    const queued = await requestsCounted('queue');
    const http = await requestsCounted('http');
    const job = requestJob('channel-1', 'channel@corp.example', 'queue');
    await processSendJob(job, d);
    await processSendJob(job, d);
    expect(await requestsCounted('queue')).toBe(queued + 1);
    // the intake stored (and counted) an HTTP request before queueing it: not counted again
    const fromIntake = requestJob('channel-2', 'channel@corp.example', 'http');
    await d.store.create(storedRequestFromJob(fromIntake, d.config.requestTtlMs));
    await processSendJob(fromIntake, d);
    expect(await requestsCounted('queue')).toBe(queued + 1);
    expect(await requestsCounted('http')).toBe(http);
  });

  it('renders a notice from its facts and threads it under the answer it is about', async () => {
    const inbox = await openMailbox(stack, 'noticed@corp.example');
    const d = deps('sp4');
    await processSendJob(
      {
        kind: 'notice',
        to: 'noticed@corp.example',
        inReplyTo: '<answer-1@corp.example>',
        notice: {
          type: 'rejection',
          reason: 'expired',
          request: {
            requestId: 'n-1',
            taskId: 'T-9',
            title: 'Deploy shop',
            expiresAt: '2026-01-02T03:04:05.000Z',
            locale: 'de',
          },
          answerMessageId: '<answer-1@corp.example>',
        },
      },
      d,
    );
    const parsed = await parseInboundMessage(await inbox.waitFor(() => true));
    if (!parsed.ok) throw new Error(parsed.detail);
    const { message } = parsed;
    expect(message.subject).toBe('Nicht angewendet: Deploy shop');
    expect(message.inReplyTo).toEqual(['<answer-1@corp.example>']);
    expect(message.references).toEqual(['<answer-1@corp.example>']);
    expect(message.headers.get('x-remote-completion')).toEqual(['rejection']);
    expect(message.headers.get('auto-submitted')).toEqual(['auto-generated']);
    expect(message.text).toContain('Die Anfrage ist am 2026-01-02T03:04:05.000Z abgelaufen');
    expect(message.text).toContain('Grund (Code): expired');
    await inbox.close();
  });

  it('sends a confirmation in English with its own stamp', async () => {
    const inbox = await openMailbox(stack, 'confirmed@corp.example');
    await processSendJob(
      {
        kind: 'notice',
        to: 'confirmed@corp.example',
        inReplyTo: '<answer-2@corp.example>',
        notice: {
          type: 'confirmation',
          request: {
            requestId: 'n-2',
            taskId: 'T-10',
            title: 'Deploy shop',
            expiresAt: '2026-01-02T03:04:05.000Z',
          },
          action: 'complete',
          engineResult: 'done',
          comment: 'Ship it.',
        },
      },
      deps('sp5'),
    );
    const parsed = await parseInboundMessage(await inbox.waitFor(() => true));
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.message.subject).toBe('Completed: Deploy shop');
    expect(parsed.message.headers.get('x-remote-completion')).toEqual(['confirmation']);
    expect(parsed.message.text).toContain('Your comment:\nShip it.');
    expect(parsed.message.text).toContain(
      'If you did not send this answer, tell your release team at once.',
    );
    await inbox.close();
  });
});

function requestJob(requestId: string, email: string, channel: 'http' | 'queue') {
  return {
    kind: 'request' as const,
    request: { requestId, taskId: 'T', title: 'Deploy', assignees: [{ email }] },
    requestedAt: new Date().toISOString(),
    channel,
  };
}

async function requestsCounted(channel: 'http' | 'queue'): Promise<number> {
  const { values } = await metrics.requestsCreated.get();
  return values.find((value) => value.labels.channel === channel)?.value ?? 0;
}
