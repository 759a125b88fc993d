import { randomUUID } from 'node:crypto';
import { JOB_IDS, QUEUE_CONTRACTS, QUEUE_NAMES } from '@rc/contracts';
import { startRedis, type RedisServer } from '@rc/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CompletionClient, InvalidCompletionRequestError } from '../src/index';

/** What the client puts on the `send` queue, read back from real Redis as the sender sees it. */

let redis: RedisServer;
let reader: Redis;
beforeAll(async () => {
  redis = await startRedis();
  reader = new Redis(redis.url, { maxRetriesPerRequest: 2 });
});
afterAll(async () => {
  await reader?.quit();
  await redis?.stop();
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function clientAndQueue(retry?: { attempts: number; baseDelayMs: number }) {
  const prefix = `c-${randomUUID().slice(0, 8)}`;
  const client = new CompletionClient({ redisUrl: redis.url, prefix, ...(retry ? { retry } : {}) });
  const send = new Queue(QUEUE_NAMES.send, { connection: reader, prefix });
  cleanups.push(
    () => client.close(),
    () => send.close(),
  );
  return { client, send };
}

const input = {
  taskId: 'Applications/Release1/Phase1/Task1',
  title: 'Sign off release notes',
  assignees: [{ email: 'carol@corp.example' }],
};

describe('CompletionClient.requestCompletion', () => {
  it('queues a request job that meets the send contract, marked as from the queue channel', async () => {
    const { client, send } = clientAndQueue();
    const { requestId } = await client.requestCompletion({ ...input, requestId: 'rel-1-task-1' });
    expect(requestId).toBe('rel-1-task-1');

    const job = await send.getJob(JOB_IDS.request(requestId));
    expect(job?.name).toBe('request');
    expect(QUEUE_CONTRACTS.send.schema.safeParse(job?.data).success).toBe(true);
    expect(job?.data).toMatchObject({ kind: 'request', channel: 'queue', request: { requestId } });
    // the services' defaults (RC_RETRY_ATTEMPTS=12, RC_RETRY_BASE_DELAY=1s), not a copy of them
    expect(job?.opts).toMatchObject({
      attempts: 12,
      backoff: { type: 'exponential', delay: 1_000 },
    });
  });

  it('takes its retry policy from the options', async () => {
    const { client, send } = clientAndQueue({ attempts: 4, baseDelayMs: 250 });
    const { requestId } = await client.requestCompletion(input);
    const job = await send.getJob(JOB_IDS.request(requestId));
    expect(job?.opts).toMatchObject({ attempts: 4, backoff: { delay: 250 } });
  });

  it('the same requestId twice is one job', async () => {
    const { client, send } = clientAndQueue();
    await client.requestCompletion({ ...input, requestId: 'same' });
    await client.requestCompletion({ ...input, title: 'changed', requestId: 'same' });
    expect(await send.count()).toBe(1);
    expect((await send.getJob(JOB_IDS.request('same')))?.data.request.title).toBe(input.title);
  });

  it('rejects invalid input with every problem and queues nothing', async () => {
    const { client, send } = clientAndQueue();
    const error = await client
      .requestCompletion({ taskId: '', title: 'x', assignees: [] })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidCompletionRequestError);
    expect((error as InvalidCompletionRequestError).problems.join('\n')).toMatch(
      /taskId[\s\S]*assignees/,
    );
    expect(await send.count()).toBe(0);
  });
});
