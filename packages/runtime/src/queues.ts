import {
  Queue,
  Worker,
  UnrecoverableError,
  type Job,
  type JobsOptions,
  type Processor,
} from 'bullmq';
import {
  QUEUE_NAMES,
  type DeadLetterJob,
  type InboundJob,
  type QueueName,
  type SendJob,
  type TaskEvent,
  type UpdateJob,
} from '@rc/contracts';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { metrics } from './metrics';

/** Payload type of each queue: the single place job types are tied to queue names. */
export interface QueuePayloads {
  send: SendJob;
  inbound: InboundJob;
  update: UpdateJob;
  results: TaskEvent;
  'dead-letter': DeadLetterJob;
}

export type TypedQueue<N extends QueueName> = Queue<QueuePayloads[N], unknown, string>;

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

/** Defaults per queue: retries with exponential backoff and jitter; bounded history in Redis. */
export function defaultJobOptions(name: QueueName, retry: RetryPolicy): JobsOptions {
  const backoff = { type: 'exponential', delay: retry.baseDelayMs, jitter: 0.3 } as const;
  switch (name) {
    case QUEUE_NAMES.inbound:
      // Completed inbound jobs are kept for a day so that a message the poller fetches twice
      // (crash between queueing and deleting) is deduplicated by its jobId.
      return {
        attempts: retry.attempts,
        backoff,
        removeOnComplete: { age: 86_400, count: 50_000 },
        removeOnFail: { age: 7 * 86_400 },
      };
    case QUEUE_NAMES.deadLetter:
      return { removeOnComplete: false, removeOnFail: false };
    default:
      return {
        attempts: retry.attempts,
        backoff,
        removeOnComplete: { age: 86_400, count: 10_000 },
        removeOnFail: { age: 7 * 86_400 },
      };
  }
}

export function createQueue<N extends QueueName>(
  name: N,
  connection: Redis,
  prefix: string,
  retry: RetryPolicy,
): TypedQueue<N> {
  return new Queue<QueuePayloads[N], unknown, string>(name, {
    connection,
    prefix,
    defaultJobOptions: defaultJobOptions(name, retry),
  });
}

/** A processor over one job's data; throw PermanentJobError to skip retries. */
export type JobHandler<N extends QueueName> = (
  data: QueuePayloads[N],
  job: Job<QueuePayloads[N]>,
) => Promise<unknown>;

/** A failure that retrying cannot fix (e.g. a 4xx from the engine): straight to dead letter. */
export class PermanentJobError extends UnrecoverableError {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'PermanentJobError';
  }
}

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** dead-letter queue; a job that fails permanently or exhausts its attempts is copied there */
  deadLetter: TypedQueue<'dead-letter'>;
  limiter?: { max: number; duration: number };
  /** called once a job is dead-lettered, before it is marked failed (best effort) */
  onDeadLetter?: (data: unknown, error: string) => Promise<void>;
}

/**
 * A BullMQ worker with metrics and dead-lettering. The dead-letter copy is written inside the
 * processor, before the job is marked failed, so a crash cannot lose it between the two.
 */
export function createWorker<N extends QueueName>(
  name: N,
  handler: JobHandler<N>,
  options: WorkerOptions,
): Worker<QueuePayloads[N]> {
  const processor: Processor<QueuePayloads[N]> = async (job) => {
    const stopTimer = metrics.jobDuration.startTimer({ queue: name });
    try {
      const result = await handler(job.data, job);
      metrics.jobsProcessed.inc({ queue: name, result: 'completed' });
      return result;
    } catch (error) {
      const permanent = error instanceof UnrecoverableError;
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const message = error instanceof Error ? error.message : String(error);
      if (permanent || lastAttempt) {
        await options.deadLetter.add(
          'dead-letter',
          {
            queue: name,
            jobId: String(job.id),
            data: job.data,
            error: message,
            failedAt: new Date().toISOString(),
          },
          { jobId: `${name}-${String(job.id)}` },
        );
        metrics.jobsProcessed.inc({ queue: name, result: 'dead_lettered' });
        await options
          .onDeadLetter?.(job.data, message)
          .catch((hookError: unknown) =>
            options.logger.error(
              { queue: name, jobId: job.id, err: String(hookError) },
              'dead-letter hook failed',
            ),
          );
        options.logger.error(
          { queue: name, jobId: job.id, attempts: job.attemptsMade + 1, err: message },
          'job dead-lettered',
        );
      } else {
        metrics.jobsProcessed.inc({ queue: name, result: 'failed' });
        options.logger.warn(
          { queue: name, jobId: job.id, attempt: job.attemptsMade + 1, err: message },
          'job failed, will retry',
        );
      }
      throw error;
    } finally {
      stopTimer();
    }
  };
  const worker = new Worker<QueuePayloads[N]>(name, processor, {
    connection: options.connection,
    prefix: options.prefix,
    concurrency: options.concurrency,
    limiter: options.limiter,
    // A worker that dies mid-job leaves it "active"; after this long another worker retries it.
    stalledInterval: 15_000,
    maxStalledCount: 3,
  });
  worker.on('error', (error) =>
    options.logger.error({ queue: name, err: error.message }, 'worker error'),
  );
  return worker;
}

/** Keeps the queue-depth gauge current; called on each /metrics scrape. */
export async function observeQueueDepth(queues: Queue[]): Promise<void> {
  await Promise.all(
    queues.map(async (queue) => {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'completed',
      );
      for (const [state, count] of Object.entries(counts))
        metrics.queueDepth.set({ queue: queue.name, state }, count);
    }),
  );
}
