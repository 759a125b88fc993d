import { randomBytes } from 'node:crypto';
import type { InboundJob } from '@rc/contracts';
import { createQueue, createRedis, loadConfig, startHost, type Host } from '@rc/runtime';
import { InboundLog } from '@rc/store';
import { startRedis, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import { startVerifier, type VerifierOptions } from '../src/index';
import { buttonAnswer, inboundJob, MAILBOX } from './harness';

/**
 * The verifier as a service, configured only through RC_* variables: the global rate limit
 * (BullMQ limiter), rejection notices and inbound-log retention are wired from the config.
 */

let redis: RedisServer;
const hosts: Host[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.allSettled(hosts.map((host) => host.close()));
  await redis?.stop();
});

async function startVerifierHost(
  extra: Record<string, string>,
  options: VerifierOptions = {},
): Promise<Host> {
  const env = {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: `vs${randomBytes(4).toString('hex')}`,
    RC_MAILBOX_ADDRESS: MAILBOX,
    RC_SIGNING_KEYS: `k1:${'ef'.repeat(24)}`,
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    ...extra,
  };
  const host = await startHost(
    loadConfig(env, ['verifier']),
    [(context) => startVerifier(context, options)],
    'verifier-test',
  );
  hosts.push(host);
  return host;
}

function junk(count: number, sender: (i: number) => string): InboundJob[] {
  return Array.from({ length: count }, (_, i) =>
    inboundJob(buttonAnswer({ from: sender(i), body: `no token here ${i}` })),
  );
}

async function waitForOutcomes(
  log: InboundLog,
  jobs: InboundJob[],
  timeoutMs = 20_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const outcomes = await Promise.all(jobs.map((job) => log.outcomeOf(job.inboundId)));
    if (outcomes.every((outcome) => outcome !== null)) return;
    if (Date.now() > deadline)
      throw new Error(
        `only ${outcomes.filter(Boolean).length} of ${jobs.length} outcomes recorded`,
      );
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('verifier service', () => {
  it('RC_VERIFY_RATE_LIMIT bounds how fast all verifiers together take inbound mail', async () => {
    const host = await startVerifierHost({
      RC_VERIFY_RATE_LIMIT: '5/1s',
      RC_SENDER_RATE_LIMIT: 'off',
    });
    const { config, queues, redis: client } = host.context;
    const log = new InboundLog(client, config.queuePrefix);
    const jobs = junk(15, (i) => `limited${i}@corp.example`);
    const started = Date.now();
    await queues.inbound.addBulk(
      jobs.map((data) => ({ name: 'inbound', data, opts: { jobId: data.inboundId } })),
    );
    await waitForOutcomes(log, jobs);
    const elapsed = Date.now() - started;
    // 15 jobs at 5 per second: the third batch cannot start before two windows have passed
    expect(elapsed).toBeGreaterThanOrEqual(1_900);
    console.log(`15 inbound jobs at RC_VERIFY_RATE_LIMIT=5/1s took ${elapsed} ms`);
  });

  it('RC_SENDER_RATE_LIMIT, RC_REJECTION_NOTICES and RC_INBOUND_LOG_MAX_ENTRIES are wired', async () => {
    const host = await startVerifierHost({
      RC_VERIFY_RATE_LIMIT: 'off',
      RC_SENDER_RATE_LIMIT: '2/1h',
      RC_REJECTION_NOTICES: 'true',
      RC_REQUIRE_DMARC: 'true',
      RC_TRUSTED_AUTHSERV_ID: 'mx.rc.example',
      RC_INBOUND_LOG_MAX_ENTRIES: '100',
    });
    const { config, queues, redis: client } = host.context;
    expect(config.inboundLog).toEqual({ maxEntries: 100, maxAgeMs: 30 * 86_400_000 });
    const log = new InboundLog(client, config.queuePrefix);
    const authResults =
      'Authentication-Results: mx.rc.example; dmarc=pass header.from=corp.example';
    const flood = Array.from({ length: 4 }, (_, i) =>
      inboundJob(
        buttonAnswer({ from: 'flooder@corp.example', body: `hello ${i}`, headers: [authResults] }),
      ),
    );
    for (const job of flood) {
      await queues.inbound.add('inbound', job, { jobId: job.inboundId });
      await waitForOutcomes(log, [job]);
    }
    const reasons = await Promise.all(
      flood.map(
        async (job) =>
          (await log.query({ limit: 1000 })).find((item) => item.inboundId === job.inboundId)
            ?.reason,
      ),
    );
    expect(reasons).toEqual(['no_token', 'no_token', 'rate_limited', 'rate_limited']);
    const notices = (await queues.send.getJobs(['waiting', 'delayed', 'prioritized'])).map(
      (job) => job.data,
    );
    // one no_token notice (deduplicated per sender and reason), none for rate_limited
    expect(notices).toEqual([
      expect.objectContaining({
        kind: 'notice',
        to: 'flooder@corp.example',
        notice: expect.objectContaining({ type: 'rejection', reason: 'no_token' }),
      }),
    ]);

    const many = junk(450, (i) => `many${i}@corp.example`);
    await queues.inbound.addBulk(
      many.map((data) => ({ name: 'inbound', data, opts: { jobId: data.inboundId } })),
    );
    await waitForOutcomes(log, many, 60_000);
    // MAXLEN ~ trims whole stream nodes (100 entries each): bounded, not exact
    const length = await client.xlen(`${config.queuePrefix}:inbound:log`);
    expect(length).toBeLessThanOrEqual(200);
    expect(length).toBeGreaterThanOrEqual(100);
  });
});

describe('a message the verifier cannot process at all', () => {
  it('is dead-lettered with its payload and still ends in an outcome: processing_failed', async () => {
    const host = await startVerifierHost({ RC_RETRY_ATTEMPTS: '2', RC_RETRY_BASE_DELAY: '50ms' });
    const { queues, redis: client, config } = host.context;
    // a payload that breaks the processor itself (as a bug or a corrupted job would)
    const broken = {
      ...inboundJob('From: a@corp.example\r\n\r\nx'),
      rawBase64: 12345,
    } as unknown as InboundJob;
    await queues.inbound.add('inbound', broken, { jobId: broken.inboundId });
    const log = new InboundLog(client, config.queuePrefix);
    await waitForOutcomes(log, [broken]);
    const [item] = await log.query({ limit: 10, reason: 'processing_failed' });
    expect(item).toMatchObject({
      inboundId: broken.inboundId,
      outcome: 'rejected',
      reason: 'processing_failed',
    });
    // the worker refuses it against the queue contract, before the verifier sees it
    expect(item?.detail).toMatch(/^PAYLOAD_INVALID: /);
    const dead = await queues.deadLetter.getJobs(['waiting']);
    expect(dead.map((job) => job.data)).toEqual([
      expect.objectContaining({ queue: 'inbound', jobId: broken.inboundId, data: broken }),
    ]);
  });

  it('stalls out when the worker holding it dies, and still ends in an outcome: processing_failed', async () => {
    // Short locks, no stall allowed: a dead holder is found in well under a second.
    const stalls = { lockDurationMs: 400, stalledIntervalMs: 250, maxStalledCount: 0 };
    const prefix = `vs${randomBytes(4).toString('hex')}`;
    const connection = createRedis(redis.url, 'worker');
    const job = inboundJob(buttonAnswer({ from: 'held@corp.example', body: 'held' }));
    // A replica that takes the job and dies before finishing it: its lock is never renewed.
    const doomed = new Worker('inbound', null, { connection, prefix, lockDuration: 400 });
    const inbound = createQueue('inbound', connection, prefix, { attempts: 3, baseDelayMs: 50 });
    try {
      await inbound.add('inbound', job, { jobId: job.inboundId });
      expect((await doomed.getNextJob('doomed-replica'))?.id).toBe(job.inboundId);
      const host = await startVerifierHost({ RC_QUEUE_PREFIX: prefix }, { stalls });
      const log = new InboundLog(host.context.redis, prefix);
      await waitForOutcomes(log, [job]);
      expect(await log.recordOf(job.inboundId)).toMatchObject({
        reason: 'processing_failed',
        detail: expect.stringMatching(/^JOB_STALLED: /),
      });
      const dead = await host.context.queues.deadLetter.getJobs(['waiting']);
      expect(dead.map((entry) => entry.data)).toEqual([
        expect.objectContaining({ queue: 'inbound', jobId: job.inboundId, code: 'JOB_STALLED' }),
      ]);
    } finally {
      await doomed.close(true);
      await inbound.close();
      await connection.quit();
    }
  });
});
