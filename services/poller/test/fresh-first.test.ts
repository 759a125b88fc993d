import { randomBytes } from 'node:crypto';
import { createLogger, createQueue, createRedis, loadConfig } from '@rc/runtime';
import {
  openMailbox,
  startMailStack,
  startRedis,
  type MailStack,
  waitUntil,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapSource } from '../src/adapters/imap';
import { pickBatch } from '../src/adapters/imap-batch';
import { BACKLOG_PRIORITY, syncBatch } from '../src/process';
import { inlineRaw } from './inline-raw';

/** Issue 9: fresh answers are not made to wait behind a flooded mailbox. */
describe('pickBatch', () => {
  const uids = Array.from({ length: 20 }, (_, i) => i + 1);

  it('takes the whole folder, none of it backlog, when it fits one batch', () => {
    const { take, backlog } = pickBatch(uids.slice(0, 8), 8, 3);
    expect(take).toEqual(uids.slice(0, 8));
    expect(backlog.size).toBe(0);
  });

  it('on the first listing of a flooded folder takes the oldest, all backlog', () => {
    const { take, backlog } = pickBatch(uids, 8, undefined);
    expect(take).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect([...backlog]).toEqual(take);
  });

  it('puts mail that arrived since the last listing first, at most a quarter of the batch', () => {
    const { take, backlog } = pickBatch(uids, 8, 15);
    expect(take).toEqual([1, 2, 3, 4, 5, 6, 16, 17]);
    expect([...backlog]).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('fresh mail during a backlog (real Dovecot and Redis)', () => {
  let redis: RedisServer;
  let stack: MailStack;
  beforeAll(async () => {
    [redis, stack] = await Promise.all([startRedis(), startMailStack()]);
  });
  afterAll(async () => {
    await Promise.allSettled([stack?.stop(), redis?.stop()]);
  });

  it('queues old mail at backlog priority and what arrived meanwhile without, so it runs first', async () => {
    const address = `fresh-${randomBytes(3).toString('hex')}@rc.example`;
    const prefix = `fresh${randomBytes(3).toString('hex')}`;
    const { user, pass } = stack.credentialsFor(address);
    const config = loadConfig(
      {
        RC_REDIS_URL: redis.url,
        RC_QUEUE_PREFIX: prefix,
        RC_MAILBOX_ADDRESS: address,
        RC_IMAP_HOST: stack.imap.host,
        RC_IMAP_PORT: String(stack.imap.port),
        RC_IMAP_SECURITY: 'none',
        RC_IMAP_USER: user,
        RC_IMAP_PASSWORD: pass,
        RC_SIGNING_KEYS: `k1:${'ef'.repeat(24)}`,
        RC_LOG_LEVEL: 'silent',
      },
      ['poller'],
    );
    const source = createImapSource(config, createLogger({ service: 'test', level: 'silent' }));
    const connection = createRedis(redis.url, 'client');
    const inbound = createQueue('inbound', connection, prefix);
    const mailbox = await openMailbox(stack, address);
    const message = (subject: string) =>
      `From: a@corp.example\r\nTo: ${address}\r\nSubject: ${subject}\r\n` +
      `Message-ID: <${randomBytes(6).toString('hex')}@corp.example>\r\n\r\nok\r\n`;
    try {
      for (let n = 0; n < 20; n++) await mailbox.append(message(`old ${n}`));
      await source.connect(
        () => undefined,
        () => undefined,
      );
      const options = { batchSize: 8, maxMessageBytes: 1_000_000 };
      expect(await syncBatch(source, inbound, options)).toBe(8);
      // as the product does after a sync: IDLE, and the server's EXISTS tells of new mail
      source.watch();
      for (const n of [1, 2, 3]) await mailbox.append(message(`fresh ${n}`));
      await waitUntil('EXISTS for the fresh mail', () =>
        source.waitingCount?.() === 15 ? true : undefined,
      );
      // 12 old + 3 fresh: the 2 fresh that fit a quarter of the batch, then the 6 oldest
      expect(await syncBatch(source, inbound, options)).toBe(8);

      const subjects = async (state: 'waiting' | 'prioritized') =>
        (await inbound.getJobs([state]))
          .map((job) => /^Subject: (.*)$/m.exec(inlineRaw(job.data).toString())?.[1])
          .sort();
      expect(await subjects('waiting')).toEqual(['fresh 1', 'fresh 2']);
      const prioritized = await inbound.getJobs(['prioritized']);
      expect(prioritized).toHaveLength(8 + 6);
      for (const job of prioritized) expect(job.opts.priority).toBe(BACKLOG_PRIORITY);
    } finally {
      await source.close();
      await mailbox.close();
      await inbound.close();
      await connection.quit();
    }
  });
});
