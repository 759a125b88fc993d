import type { JobName, JobPayload, QueueName } from '@rc/contracts';
import {
  UnrecoverableError,
  Worker,
  type Job,
  type Processor,
  type Span,
  type WorkerOptions as BullWorkerOptions,
} from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import {
  failureCode,
  sendToDeadLetter,
  type DeadLetterHook,
  type DeadLetterTarget,
} from './dead-letter';
import { checkJobContract } from './job-contract';
import { metrics } from './metrics';
import { PermanentJobError } from './permanent-job-error';
import type { TypedQueue } from './queues';

export type TypedJob<N extends QueueName> = Job<JobPayload<N>, unknown, JobName<N>>;

/** A processor over one job's checked data; throw PermanentJobError to skip retries. */
export type JobHandler<N extends QueueName> = (
  data: JobPayload<N>,
  job: TypedJob<N>,
) => Promise<unknown>;

/** When a job whose worker stopped is taken back, and when it is given up (JOB_STALLED). */
export interface StallPolicy {
  /** a worker holds a job this long without renewing (it renews every half of it) */
  lockDurationMs: number;
  /** how often any worker looks for jobs whose lock expired */
  stalledIntervalMs: number;
  /** how many times a job may be taken back before it is dead-lettered */
  maxStalledCount: number;
}

const DEFAULT_STALLS: StallPolicy = {
  lockDurationMs: 30_000,
  stalledIntervalMs: 15_000,
  maxStalledCount: 3,
};

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  concurrency: number;
  logger: Logger;
  /** dead-letter queue; a job that fails permanently, exhausts its attempts or stalls out */
  deadLetter: TypedQueue<'dead-letter'>;
  limiter?: { max: number; duration: number };
  onDeadLetter?: DeadLetterHook;
  /** tests shorten these; services keep the defaults */
  stalls?: Partial<StallPolicy>;
}

/**
 * Dead-letters jobs that BullMQ fails without calling the processor. A job that stalled more
 * than maxStalledCount times is not failed by the stalled checker: BullMQ 5.81 marks it with a
 * deferred failure (`defa`) and moves it back to `wait`; the one worker that takes it next
 * fails it in `handleFailed`, holding its lock, before `moveToFailed`. Writing the copy here,
 * ahead of `moveToFailed`, is what makes it crash-safe: a crash in between leaves the job
 * active, its lock expires, it stalls again (still deferred-failed) and the next worker
 * repeats this; the deterministic dead-letter jobId keeps one copy, the hook may run twice.
 * Remaining window: the lock is no longer renewed here, so a dead-letter write slower than
 * the lock duration lets `moveToFailed` fail and the job go round once more (same outcome).
 */
class DeadLetteringWorker<N extends QueueName> extends Worker<JobPayload<N>, unknown, JobName<N>> {
  constructor(
    private readonly queueName: N,
    processor: Processor<JobPayload<N>, unknown, JobName<N>>,
    options: BullWorkerOptions,
    private readonly deadLetterTarget: DeadLetterTarget,
  ) {
    super(queueName, processor, options);
  }

  protected override async handleFailed(
    error: Error,
    job: TypedJob<N>,
    token: string,
    fetchNextCallback?: () => boolean,
    span?: Span,
  ): Promise<TypedJob<N>> {
    // A closing connection makes BullMQ leave the job active; whoever takes it next handles it.
    if (job.deferredFailure && !this.connection.closing) {
      await sendToDeadLetter(
        this.queueName,
        job,
        {
          error: job.deferredFailure,
          code: job.stalledCounter > 0 ? 'JOB_STALLED' : 'UNEXPECTED',
          // the start that found the deferred failure did not run the handler
          attempts: Math.max(job.attemptsStarted - 1, 0),
        },
        this.deadLetterTarget,
      );
    }
    return super.handleFailed(error, job, token, fetchNextCallback, span);
  }
}

/**
 * A BullMQ worker with contract checks, metrics and dead-lettering. Every job is checked
 * against its queue's contract before the handler runs; the dead-letter copy of a failed job
 * is written before the job is marked failed, so a crash cannot lose it between the two.
 */
export function createWorker<N extends QueueName>(
  name: N,
  handler: JobHandler<N>,
  options: WorkerOptions,
): Worker<JobPayload<N>, unknown, JobName<N>> {
  const target: DeadLetterTarget = {
    queue: options.deadLetter,
    logger: options.logger,
    ...(options.onDeadLetter ? { onDeadLetter: options.onDeadLetter } : {}),
  };
  const processor: Processor<JobPayload<N>, unknown, JobName<N>> = async (job) => {
    const checked = checkJobContract(name, job.name, job.data);
    if (!checked.ok) {
      const error = `job does not match the ${name} queue contract: ${checked.problems.join('; ')}`;
      await sendToDeadLetter(
        name,
        job,
        { error, code: 'PAYLOAD_INVALID', attempts: job.attemptsStarted },
        target,
      );
      throw new PermanentJobError(error, 'PAYLOAD_INVALID');
    }
    // Time in the queue before the first attempt (delay excluded): what scaling should watch.
    if (job.attemptsMade === 0 && job.processedOn)
      metrics.jobWait.observe(
        { queue: name },
        Math.max(0, job.processedOn - job.timestamp - (job.opts.delay ?? 0)) / 1000,
      );
    const stopTimer = metrics.jobDuration.startTimer({ queue: name });
    try {
      const result = await handler(checked.data, job);
      metrics.jobsProcessed.inc({ queue: name, result: 'completed' });
      return result;
    } catch (error) {
      await handleHandlerError(name, job, error, target);
      throw error;
    } finally {
      stopTimer();
    }
  };
  const stalls = { ...DEFAULT_STALLS, ...options.stalls };
  const worker = new DeadLetteringWorker(
    name,
    processor,
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency,
      ...(options.limiter ? { limiter: options.limiter } : {}),
      lockDuration: stalls.lockDurationMs,
      stalledInterval: stalls.stalledIntervalMs,
      maxStalledCount: stalls.maxStalledCount,
      // started below, once the subclass is fully constructed
      autorun: false,
    },
    target,
  );
  worker.on('error', (error) =>
    options.logger.error({ queue: name, err: error.message }, 'worker error'),
  );
  worker.on('stalled', (jobId) => {
    metrics.jobsStalled.inc({ queue: name });
    options.logger.warn({ queue: name, jobId }, 'job stalled: its worker stopped mid-job');
  });
  worker.run().catch((error: unknown) => worker.emit('error', error as Error));
  return worker;
}

async function handleHandlerError<N extends QueueName>(
  name: N,
  job: TypedJob<N>,
  error: unknown,
  target: DeadLetterTarget,
): Promise<void> {
  const permanent = error instanceof UnrecoverableError;
  const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  const message = error instanceof Error ? error.message : String(error);
  if (permanent || lastAttempt) {
    const code = failureCode(error, lastAttempt);
    await sendToDeadLetter(
      name,
      job,
      { error: message, code, attempts: job.attemptsStarted },
      target,
    );
    return;
  }
  metrics.jobsProcessed.inc({ queue: name, result: 'failed' });
  target.logger.warn(
    { queue: name, jobId: job.id, attempt: job.attemptsMade + 1, err: message },
    'job failed, will retry',
  );
}
