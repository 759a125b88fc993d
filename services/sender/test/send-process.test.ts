import { createLogger, createRedis, type Redis } from '@rc/runtime';
import { RequestStore } from '@rc/store';
import { parseSigningKeys } from '@rc/tokens';
import {
  openMailbox,
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
    keyring: parseSigningKeys('k1:' + 'c'.repeat(40)).keyring!,
    mailboxAddress: 'approvals@rc.example',
    mailFrom: 'approvals@rc.example',
    requestTtlMs: 86_400_000,
    whitelist: { enabled: true, domains: ['corp.example'] },
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
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await inbox.count()).toBe(1);
    await inbox.close();
  });
});
