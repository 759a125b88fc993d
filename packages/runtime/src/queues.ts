import { Queue, type JobsOptions } from 'bullmq';
import { QUEUE_NAMES, type JobName, type JobPayload, type QueueName } from '@rc/contracts';
import type { Redis } from 'ioredis';

// This module is also what @rc/client imports (`@rc/runtime/queues`): it must stay free of
// metrics, logging and HTTP so that an engine embedding the client loads none of them.

/** A queue typed by its contract: payloads and job names come from QUEUE_CONTRACTS. */
export type TypedQueue<N extends QueueName> = Queue<JobPayload<N>, unknown, JobName<N>>;

/** Payload type of each queue, derived from QUEUE_CONTRACTS (kept as a name for importers). */
export type QueuePayloads = { [N in QueueName]: JobPayload<N> };

export interface RetryPolicy {
  attempts: number;
  baseDelayMs: number;
}

/** RC_RETRY_ATTEMPTS and RC_RETRY_BASE_DELAY when unset (SPEC 3.1). */
export const DEFAULT_RETRY: Readonly<RetryPolicy> = Object.freeze({
  attempts: 12,
  baseDelayMs: 1_000,
});

/** Defaults per queue: retries with exponential backoff and jitter; bounded history in Redis. */
export function defaultJobOptions(
  name: QueueName,
  retry: RetryPolicy = DEFAULT_RETRY,
): JobsOptions {
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
  retry: RetryPolicy = DEFAULT_RETRY,
): TypedQueue<N> {
  return new Queue<JobPayload<N>, unknown, JobName<N>>(name, {
    connection,
    prefix,
    defaultJobOptions: defaultJobOptions(name, retry),
  });
}
