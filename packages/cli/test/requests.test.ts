import { randomUUID } from 'node:crypto';
import { JOB_IDS, type InboundRecord } from '@rc/contracts';
import { createQueue } from '@rc/runtime';
import { InboundLog } from '@rc/store';
import { startRedis, type RedisServer } from '@rc/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rc } from './cli-harness';

/**
 * `rc request`, `status`, `cancel` and `inbound` on real Redis, without RC_API_TOKEN: what they
 * write must be what the sender and the HTTP API read (the store, the send queue's contract).
 */

let server: RedisServer;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

function env(): Record<string, string> {
  return {
    RC_MAILBOX_ADDRESS: 'approvals@corp.test',
    RC_SIGNING_KEYS: `k1:${'s'.repeat(40)}`,
    RC_REDIS_URL: server.url,
    RC_QUEUE_PREFIX: `req${randomUUID().slice(0, 8)}`,
  };
}

function resultOf<T = Record<string, unknown>>(printed: { stdout: string[] }): T {
  return JSON.parse(printed.stdout.at(-1)!) as T;
}

describe('rc request, status, cancel', () => {
  it('requests, shows, refuses a duplicate and cancels: the same store and queue as the API', async () => {
    const e = env();
    const requestId = `cli-${randomUUID()}`;
    const args = [
      'request',
      '--task',
      'Applications/Release1/Phase2/Task3',
      '--title',
      'Approve production deploy',
      '--assignee',
      'alice@corp.test',
      '--assignee',
      'Bob Builder <BOB@corp.test>',
      '--locale',
      'de',
      '--expires',
      '2d',
      '--request-id',
      requestId,
      '--json',
    ];
    const created = await rc(args, e);
    expect(created.code, created.stderr.join('\n')).toBe(0);
    expect(resultOf(created)).toMatchObject({ ok: true, requestId, created: 'created' });

    const queue = createQueue('send', redis, e.RC_QUEUE_PREFIX!);
    try {
      const job = await queue.getJob(JOB_IDS.request(requestId));
      expect(job?.name).toBe('request');
      expect(job?.data).toMatchObject({
        kind: 'request',
        channel: 'queue',
        request: {
          requestId,
          locale: 'de',
          assignees: [
            { email: 'alice@corp.test' },
            { email: 'BOB@corp.test', name: 'Bob Builder' },
          ],
        },
      });
      const again = await rc(args, e);
      expect(resultOf(again)).toMatchObject({ ok: true, created: 'exists' });
      expect(await queue.getJobCountByTypes('waiting')).toBe(1);
    } finally {
      await queue.close();
    }

    const shown = resultOf<{ request: Record<string, unknown> }>(
      await rc(['status', requestId, '--json'], e),
    );
    expect(shown.request).toMatchObject({
      requestId,
      status: 'pending',
      locale: 'de',
      assignees: [{ email: 'alice@corp.test' }, { email: 'bob@corp.test', name: 'Bob Builder' }],
    });
    const expiresIn = Date.parse(shown.request.expiresAt as string) - Date.now();
    expect(expiresIn).toBeGreaterThan(47 * 3600_000);
    expect(expiresIn).toBeLessThanOrEqual(48 * 3600_000);

    const cancelled = await rc(['cancel', requestId], e);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout.join('\n')).toMatch(/Cancelled .*rejected as cancelled/);
    const text = await rc(['status', requestId], e);
    expect(text.stdout[0]).toBe(`${requestId}: cancelled`);
    expect(text.stdout.join('\n')).toMatch(/cancelled: rc cancel/);
    expect(resultOf(await rc(['cancel', requestId, '--json'], e))).toMatchObject({
      ok: true,
      result: 'already_cancelled',
    });
  });

  it('refuses an invalid request with every problem and queues nothing; unknown ids exit 1', async () => {
    const e = env();
    const invalid = await rc(
      [
        'request',
        '--task',
        'T1',
        '--title',
        ' ',
        '--locale',
        'german',
        '--expires',
        '2001-01-01T00:00:00Z',
        '--json',
      ],
      e,
    );
    expect(invalid.code).toBe(1);
    const { problems } = resultOf<{ problems: string[] }>(invalid);
    expect(problems.join('\n')).toMatch(/title/);
    expect(problems.join('\n')).toMatch(/assignees/);
    expect(problems.join('\n')).toMatch(/locale/);
    const past = await rc(
      [
        'request',
        '--task',
        'T1',
        '--title',
        'x',
        '--assignee',
        'a@corp.test',
        '--expires',
        '2001-01-01T00:00:00Z',
      ],
      e,
    );
    expect(past.code).toBe(1);
    expect(past.stderr.join('\n')).toMatch(/expiresAt: must be in the future/);
    expect(await redis.keys(`${e.RC_QUEUE_PREFIX}:*`)).toEqual([]);

    expect((await rc(['status', 'nope'], e)).code).toBe(1);
    expect((await rc(['cancel', 'nope'], e)).stderr.join('\n')).toMatch(/no request nope/);
  });

  it('requires whitelisted assignees when the whitelist is on', async () => {
    const printed = await rc(
      ['request', '--task', 'T', '--title', 'x', '--assignee', 'eve@elsewhere.test'],
      { ...env(), RC_WHITELIST_ENABLED: 'true', RC_WHITELIST_DOMAINS: 'corp.test' },
    );
    expect(printed.code).toBe(1);
    expect(printed.stderr.join('\n')).toMatch(/eve@elsewhere.test is outside RC_WHITELIST_DOMAINS/);
  });
});

describe('rc inbound', () => {
  it('lists the outcome log newest first, filtered as GET /v1/inbound filters it', async () => {
    const e = env();
    const log = new InboundLog(redis, e.RC_QUEUE_PREFIX!);
    const entry = (
      n: number,
      outcome: 'accepted' | 'rejected',
      reason: InboundRecord['reason'],
    ): InboundRecord => ({
      inboundId: `in-${n}`,
      outcome,
      reason,
      from: `user${n}@corp.test`,
      subject: `answer ${n}`,
      messageId: `<m${n}@corp.test>`,
      requestId: `r-${n % 2}`,
      taskId: 'T',
      receivedAt: new Date(Date.now() + n).toISOString(),
      decidedAt: new Date(Date.now() + n).toISOString(),
    });
    await log.record(entry(1, 'rejected', 'expired'));
    await log.record(entry(2, 'accepted', null));
    await log.record(entry(3, 'rejected', 'bad_signature'));
    await log.record(entry(4, 'rejected', 'expired'));

    const all = await rc(['inbound'], e);
    expect(all.code).toBe(0);
    expect(all.stdout.map((l) => /"answer (\d)"/.exec(l)?.[1])).toEqual(['4', '3', '2', '1']);
    expect(all.stdout[0]).toMatch(/rejected expired: from user4@corp.test "answer 4" request r-0/);

    const expired = resultOf<{ items: InboundRecord[] }>(
      await rc(
        ['inbound', '--outcome', 'rejected', '--reason', 'expired', '--limit', '1', '--json'],
        e,
      ),
    );
    expect(expired.items.map((item) => item.inboundId)).toEqual(['in-4']);
    const forRequest = resultOf<{ items: InboundRecord[] }>(
      await rc(['inbound', '--request', 'r-1', '--json'], e),
    );
    expect(forRequest.items.map((item) => item.inboundId)).toEqual(['in-3', 'in-1']);

    const bad = await rc(['inbound', '--reason', 'whatever', '--limit', '0'], e);
    expect(bad.code).toBe(1);
    expect(bad.stderr.join('\n')).toMatch(/--limit/);
    expect(bad.stderr.join('\n')).toMatch(/--reason: must be one of/);
  });
});
