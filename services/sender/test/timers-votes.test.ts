import { createLogger, createRedis, loadConfig, type Redis } from '@rc/runtime';
import { RequestStore, TimerStore, storedRequestFromJob } from '@rc/store';
import {
  openMailbox,
  startMailStack,
  startRedis,
  type MailStack,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSmtpTransport } from '../src/adapters/smtp';
import type { MailTransport } from '../src/adapters/mail-transport';
import { escalate } from '../src/timers/escalate';
import { sendReminders } from '../src/timers/remind';
import type { TimerDeps } from '../src/timers/timer-deps';

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

function timerDeps(prefix: string): TimerDeps {
  const store = new RequestStore(redis, prefix);
  return {
    store,
    transport,
    config: loadConfig(
      {
        RC_MAILBOX_ADDRESS: 'approvals@rc.example',
        RC_SMTP_HOST: '127.0.0.1',
        RC_SIGNING_KEYS: 'k1:' + 'c'.repeat(40),
      },
      ['sender'],
    ),
    logger: createLogger({ service: 'test', level: 'silent' }),
    timers: { queue: undefined as never, store: new TimerStore(redis, prefix) },
    updateQueue: undefined as never,
  };
}

it('with a quorum, a voter is not reminded, and a vote cast means nobody is escalated to', async () => {
  const deps = timerDeps('tv1');
  const now = new Date().toISOString();
  const record = storedRequestFromJob(
    {
      kind: 'request',
      requestedAt: now,
      request: {
        requestId: 'quorum-1',
        taskId: 'T',
        title: 'Deploy',
        assignees: [{ email: 'voter@corp.example' }, { email: 'quiet@corp.example' }],
        quorum: 2,
        remindAfter: '1h',
        escalateAfter: '2h',
        escalateTo: [{ email: 'boss@corp.example' }],
      },
    },
    86_400_000,
  );
  await deps.store.create(record);
  for (const assignee of record.assignees) await deps.store.markEmailSent(record, assignee.email);
  const cast = await deps.store.votes.cast(record, {
    voter: 'voter@corp.example',
    name: '',
    action: 'complete',
    comment: '',
    respondedAt: now,
    inboundId: 'in-1',
    countedAt: now,
  });
  expect(cast.result).toBe('counted');

  const voter = await openMailbox(stack, 'voter@corp.example');
  const quiet = await openMailbox(stack, 'quiet@corp.example');
  await sendReminders('quorum-1', deps);
  await sendReminders('quorum-1', deps);
  await quiet.waitForCount(1);
  expect(await deps.timers.store.wasReminded('quorum-1', 'quiet@corp.example')).toBe(true);
  expect(await deps.timers.store.wasReminded('quorum-1', 'voter@corp.example')).toBe(false);
  await voter.waitForCount(0);

  await escalate('quorum-1', deps);
  expect((await deps.store.get('quorum-1'))?.assignees.map((a) => a.email)).toEqual([
    'voter@corp.example',
    'quiet@corp.example',
  ]);
  await Promise.all([voter.close(), quiet.close()]);
});
