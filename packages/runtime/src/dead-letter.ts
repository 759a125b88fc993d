import { JOB_IDS, errorCodeOf, type ErrorCode, type QueueName } from '@rc/contracts';
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { writeDeadLetter } from './dead-letter-replay';
import { metrics } from './metrics';
import type { TypedQueue } from './queues';

/**
 * Called once a job is dead-lettered, before BullMQ marks it failed. `data` is the job's raw
 * payload: it may not match its contract (PAYLOAD_INVALID). At least once: a crash before the
 * job is marked failed runs it again, so it must be idempotent.
 */
export type DeadLetterHook = (data: unknown, error: string, code: ErrorCode) => Promise<void>;

export interface DeadLetterTarget {
  queue: TypedQueue<'dead-letter'>;
  logger: Logger;
  onDeadLetter?: DeadLetterHook;
}

export interface JobFailure {
  error: string;
  code: ErrorCode;
  /** how many times the handler was started for this job */
  attempts: number;
}

/**
 * The code a dead letter carries for an error the handler threw. An operator filters dead
 * letters by code, so the error's own code wins even after the last retry (ENGINE_UNAVAILABLE
 * after 12 attempts says where to look; the attempts field says it was retried). Only an
 * error without a code that kept failing becomes ATTEMPTS_EXHAUSTED; one thrown as permanent
 * without a code stays UNEXPECTED: a bug to report.
 */
export function failureCode(error: unknown, lastAttempt: boolean): ErrorCode {
  const code = errorCodeOf(error);
  if (code !== 'UNEXPECTED') return code;
  return lastAttempt && !(error instanceof UnrecoverableError) ? 'ATTEMPTS_EXHAUSTED' : code;
}

/**
 * Copies a job to the dead-letter queue, then runs the hook. The jobId is deterministic, so a
 * second call for the same job (a crash before it was marked failed, then a retry) adds no
 * second copy.
 */
export async function sendToDeadLetter(
  queue: QueueName,
  job: Job,
  failure: JobFailure,
  target: DeadLetterTarget,
): Promise<void> {
  const jobId = String(job.id);
  await writeDeadLetter(
    target.queue,
    {
      queue,
      jobId,
      name: job.name,
      data: job.data,
      error: failure.error,
      code: failure.code,
      attempts: failure.attempts,
      failedAt: new Date().toISOString(),
    },
    JOB_IDS.deadLetter(queue, jobId),
  );
  metrics.jobsProcessed.inc({ queue, result: 'dead_lettered' });
  metrics.deadLetters.inc({ queue, code: failure.code });
  await target
    .onDeadLetter?.(job.data, failure.error, failure.code)
    .catch((hookError: unknown) =>
      target.logger.error(
        { queue, jobId, code: failure.code, err: String(hookError) },
        'dead-letter hook failed',
      ),
    );
  target.logger.error(
    {
      queue,
      jobId,
      name: job.name,
      code: failure.code,
      attempts: failure.attempts,
      err: failure.error,
    },
    'job dead-lettered',
  );
}
