import { randomUUID } from 'node:crypto';
import {
  CodedError,
  JOB_IDS,
  type DeadLetterJob,
  type ErrorCode,
  type QueueName,
  type UpdateJob,
} from '@rc/contracts';
import { startRedis, waitUntil, type RedisServer } from '@rc/testkit';
import { Queue, Worker, type Job } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  createLogger,
  createQueue,
  createRedis,
  createWorker,
  PermanentJobError,
  type JobHandler,
  type Redis,
  type StallPolicy,
  type TypedQueue,
} from '../src/index';

/** Typed queues on real Redis: contract checks, dead letters with codes, stalled jobs. */

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const logger = createLogger({ service: 'queues-test', level: 'silent' });
const FAST_RETRY = { attempts: 3, baseDelayMs: 10 };

interface DeadLetterCall {
  data: unknown;
  error: string;
  code: ErrorCode;
}

/**
 * A fresh prefix per test (BullMQ's own tests use a fresh queue name each time). With
 * `hookHangsOnce`, the first dead-letter hook call never returns: the process dies there.
 */
function harness(options: { hookHangsOnce?: boolean } = {}) {
  const prefix = `t-${randomUUID().slice(0, 8)}`;
  const connections: Redis[] = [];
  const connect = (purpose: 'client' | 'worker') => {
    const connection = createRedis(redis.url, purpose);
    connections.push(connection);
    return connection;
  };
  const producer = connect('client');
  const deadLetter = createQueue('dead-letter', producer, prefix, FAST_RETRY);
  const hookCalls: DeadLetterCall[] = [];
  const queues: Queue[] = [deadLetter];
  cleanups.push(async () => {
    await Promise.all(queues.map((queue) => queue.close()));
    await Promise.all(connections.map((connection) => connection.quit()));
  });

  return {
    prefix,
    hookCalls,
    workerConnection: () => connect('worker'),
    deadLetter,
    queue<N extends QueueName>(name: N): TypedQueue<N> {
      const queue = createQueue(name, producer, prefix, FAST_RETRY);
      queues.push(queue);
      return queue;
    },
    /** A producer that ignores the contracts: an old client, a hand-made replay. */
    untypedQueue(name: QueueName): Queue {
      const queue = new Queue(name, {
        connection: producer,
        prefix,
        defaultJobOptions: { attempts: 3 },
      });
      queues.push(queue);
      return queue;
    },
    worker<N extends QueueName>(name: N, handler: JobHandler<N>, stalls?: Partial<StallPolicy>) {
      const worker = createWorker(name, handler, {
        connection: connect('worker'),
        prefix,
        concurrency: 1,
        logger,
        deadLetter,
        onDeadLetter: async (data, error, code) => {
          hookCalls.push({ data, error, code });
          if (options.hookHangsOnce && hookCalls.length === 1) await new Promise(() => {});
        },
        ...(stalls ? { stalls } : {}),
      });
      // a hung hook never lets its job finish: close without waiting for it
      cleanups.push(() => worker.close(options.hookHangsOnce));
      return worker;
    },
    async deadLetterOf(queue: QueueName, jobId: string): Promise<DeadLetterJob> {
      const copy = await waitUntil(`dead letter of ${queue}/${jobId}`, async () =>
        deadLetter.getJob(JOB_IDS.deadLetter(queue, jobId)),
      );
      return copy.data;
    },
  };
}

async function settled(queue: Queue, jobId: string): Promise<Job> {
  return waitUntil(`job ${jobId} settled`, async () => {
    const state = await queue.getJobState(jobId);
    // read the job only once it settled: a copy read before shows no failedReason yet
    return state === 'failed' || state === 'completed' ? await queue.getJob(jobId) : undefined;
  });
}

function anUpdate(requestId = `r-${randomUUID()}`): UpdateJob {
  return {
    requestId,
    taskId: 'Applications/Release1/Phase1/Task1',
    action: 'complete',
    actor: { email: 'carol@corp.example', name: 'Carol' },
    comment: 'looks good',
    respondedAt: '2025-05-01T10:00:00.000Z',
    messageId: '<answer@corp.example>',
    inboundId: 'in-1',
  };
}

describe('contract checks before the handler', () => {
  it('dead-letters an invalid payload as PAYLOAD_INVALID without calling the handler or retrying', async () => {
    const h = harness();
    const calls: unknown[] = [];
    h.worker('update', async (data) => calls.push(data));
    const raw = h.untypedQueue('update');
    const job = await raw.add('update', { ...anUpdate(), taskId: 42, action: 'approve' });

    const copy = await h.deadLetterOf('update', String(job.id));
    expect(copy).toMatchObject({
      queue: 'update',
      jobId: String(job.id),
      name: 'update',
      code: 'PAYLOAD_INVALID',
      attempts: 1,
    });
    expect(copy.error).toContain('taskId');
    expect(copy.error).toContain('action');
    // problems name the rule, not the value: payloads can hold personal data
    expect(copy.error).not.toContain('approve');
    const failed = await settled(raw, String(job.id));
    expect(failed.failedReason).toContain('does not match the update queue contract');
    expect(failed.attemptsMade).toBe(1);
    expect(calls).toEqual([]);
    expect(h.hookCalls).toMatchObject([{ code: 'PAYLOAD_INVALID' }]);
  });

  it('dead-letters a job name its queue does not accept', async () => {
    const h = harness();
    const calls: unknown[] = [];
    h.worker('update', async (data) => calls.push(data));
    const raw = h.untypedQueue('update');
    const job = await raw.add('apply-update', anUpdate());

    const copy = await h.deadLetterOf('update', String(job.id));
    expect(copy).toMatchObject({ code: 'PAYLOAD_INVALID', name: 'apply-update' });
    expect(copy.error).toContain('job name "apply-update" is not one of update');
    await settled(raw, String(job.id));
    expect(calls).toEqual([]);
  });

  it('hands the handler the parsed payload: trimmed, unknown fields dropped', async () => {
    const h = harness();
    const seen: unknown[] = [];
    h.worker('send', async (data) => seen.push(data));
    const raw = h.untypedQueue('send');
    const request = {
      requestId: 'req-1',
      taskId: 'T1',
      title: '  Sign off release notes  ',
      assignees: [{ email: 'carol@corp.example' }],
    };
    const job = await raw.add('request', {
      kind: 'request',
      request,
      requestedAt: '2025-05-01T10:00:00.000Z',
      debugNote: 'not in the contract',
    });
    await settled(raw, String(job.id));
    expect(await raw.getJobState(String(job.id))).toBe('completed');
    expect(seen).toEqual([
      {
        kind: 'request',
        request: { ...request, title: 'Sign off release notes' },
        requestedAt: '2025-05-01T10:00:00.000Z',
      },
    ]);
  });
});

describe('failures', () => {
  it('a permanent error is not retried and keeps its code', async () => {
    const h = harness();
    let calls = 0;
    h.worker('update', async () => {
      calls += 1;
      throw new PermanentJobError('engine answered 400', 'ENGINE_REJECTED');
    });
    const update = anUpdate();
    const job = await h
      .queue('update')
      .add('update', update, { jobId: `update-${update.requestId}` });

    const copy = await h.deadLetterOf('update', String(job.id));
    expect(copy).toMatchObject({
      code: 'ENGINE_REJECTED',
      error: 'engine answered 400',
      attempts: 1,
      name: 'update',
      data: update,
    });
    await settled(h.queue('update'), String(job.id));
    expect(calls).toBe(1);
    expect(h.hookCalls).toEqual([
      { data: update, error: 'engine answered 400', code: 'ENGINE_REJECTED' },
    ]);
  });

  it.each([
    ['an error without a code', 'ATTEMPTS_EXHAUSTED', () => new Error('socket hang up')],
    [
      'a coded error',
      'ENGINE_UNAVAILABLE',
      () => new CodedError('engine answered 503', 'ENGINE_UNAVAILABLE'),
    ],
  ] as const)(
    '%s is retried on every attempt, then dead-lettered as %s',
    async (_, code, error) => {
      const h = harness();
      let calls = 0;
      h.worker('update', async () => {
        calls += 1;
        throw error();
      });
      const job = await h.queue('update').add('update', anUpdate());

      const copy = await h.deadLetterOf('update', String(job.id));
      expect(copy).toMatchObject({ code, attempts: FAST_RETRY.attempts });
      const failed = await settled(h.queue('update'), String(job.id));
      expect(failed.attemptsMade).toBe(FAST_RETRY.attempts);
      expect(calls).toBe(FAST_RETRY.attempts);
      expect(h.hookCalls).toHaveLength(1);
    },
  );

  it('a job that succeeds on a retry leaves no dead letter', async () => {
    const h = harness();
    let calls = 0;
    h.worker('update', async () => {
      calls += 1;
      if (calls < FAST_RETRY.attempts) throw new Error('temporary');
      return 'applied';
    });
    const job = await h.queue('update').add('update', anUpdate());
    const done = await settled(h.queue('update'), String(job.id));
    expect(done.returnvalue).toBe('applied');
    expect(calls).toBe(FAST_RETRY.attempts);
    expect(await h.deadLetter.count()).toBe(0);
    expect(h.hookCalls).toEqual([]);
  });
});

describe('stalled jobs', () => {
  // Short locks so that a stall is found in well under a second; 0 stalls allowed, so the
  // first one is final.
  const STALLS: StallPolicy = { lockDurationMs: 400, stalledIntervalMs: 250, maxStalledCount: 0 };

  it('a job whose worker blocked past its lock is dead-lettered once as JOB_STALLED, across replicas', async () => {
    const h = harness();
    let started = 0;
    // A blocked event loop renews no lock: to Redis this worker is as dead as a killed one.
    h.worker(
      'update',
      async () => {
        started += 1;
        const until = Date.now() + 3 * STALLS.lockDurationMs;
        while (Date.now() < until) {
          /* busy: a CPU-bound handler or a sync call that hangs */
        }
        return 'too late';
      },
      STALLS,
    );
    const job = await h.queue('update').add('update', anUpdate());
    await waitUntil('handler started', () => (started > 0 ? true : undefined));
    // Two more replicas: any of the three may run the stalled checker or take the job back.
    for (let replica = 0; replica < 2; replica++) {
      h.worker(
        'update',
        async () => {
          started += 1;
        },
        STALLS,
      );
    }

    const copy = await h.deadLetterOf('update', String(job.id));
    expect(copy).toMatchObject({
      queue: 'update',
      name: 'update',
      code: 'JOB_STALLED',
      error: 'job stalled more than allowable limit',
      attempts: 1,
    });
    const failed = await settled(h.queue('update'), String(job.id));
    expect(await failed.getState()).toBe('failed');
    expect(failed.failedReason).toBe('job stalled more than allowable limit');
    // a few more checker rounds change nothing: one copy, one hook call, no second run
    await new Promise((resolve) => setTimeout(resolve, 4 * STALLS.stalledIntervalMs));
    expect(await h.deadLetter.count()).toBe(1);
    expect(h.hookCalls).toMatchObject([{ code: 'JOB_STALLED' }]);
    expect(started).toBe(1);
  });

  it('a worker dying between the dead-letter copy and marking the job failed: the next one finishes, one copy', async () => {
    const h = harness({ hookHangsOnce: true });
    // A worker that is already gone when the job is taken: it never renews the lock.
    const update = anUpdate();
    const job = await h.queue('update').add('update', update);
    const gone = new Worker('update', null, {
      connection: h.workerConnection(),
      prefix: h.prefix,
      lockDuration: STALLS.lockDurationMs,
    });
    cleanups.push(() => gone.close(true));
    expect((await gone.getNextJob('gone'))?.id).toBe(job.id);
    // Replicas: the first to take the stalled-out job hangs in the hook (its process died
    // after the dead-letter copy, before moveToFailed); its lock lapses, the job stalls again
    // and another replica takes it.
    for (let replica = 0; replica < 3; replica++) h.worker('update', async () => 'ran', STALLS);

    const failed = await settled(h.queue('update'), String(job.id));
    expect(failed.failedReason).toBe('job stalled more than allowable limit');
    expect(h.hookCalls.map((call) => call.code)).toEqual(['JOB_STALLED', 'JOB_STALLED']);
    expect(h.hookCalls[1]?.data).toEqual(update);
    expect(await h.deadLetter.count()).toBe(1);
    expect(await h.deadLetterOf('update', String(job.id))).toMatchObject({ code: 'JOB_STALLED' });
  });
});
