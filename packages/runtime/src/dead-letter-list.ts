import { QUEUE_NAMES, type DeadLetterJob, type QueueName } from '@rc/contracts';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { TypedQueue } from './queues';

/** One dead letter as the API and `rc dlq list` show it: what failed, never its payload. */
export interface DeadLetterEntry {
  /** the dead letter's own id, `<queue>-<original job id>`: what a replay names */
  id: string;
  queue: string;
  jobId: string;
  name?: string;
  code?: string;
  error: string;
  attempts?: number;
  failedAt: string;
  /** set once it was replayed; the entry is kept so that support can see what happened */
  replayedAt?: string;
  /** the request it was about, when the payload names one */
  requestId?: string;
  /** the inbound message it was about, when the payload names one */
  inboundId?: string;
}

export interface DeadLetterFilter {
  queue?: string;
  code?: string;
  /** most entries returned, newest first; all when absent */
  limit?: number;
}

/** The queues a dead letter can come from: every queue but the dead-letter queue itself. */
export const REPLAYABLE_QUEUES: readonly QueueName[] = Object.values(QUEUE_NAMES).filter(
  (name) => name !== QUEUE_NAMES.deadLetter,
);

/**
 * Payloads can be large (an inbound job holds a whole message), so dead letters are read a few
 * at a time, and a filtered list stops reading once it has enough.
 */
const PAGE = 20;

/** The Redis hash of replay marks (dead-letter id → replayedAt), in the dead-letter queue's keys. */
export function replayMarksKey(deadLetters: TypedQueue<'dead-letter'>): string {
  return deadLetters.toKey('replays');
}

/** The dead-letter queue's own Redis connection (BullMQ types it narrowly). */
export async function redisOf(deadLetters: TypedQueue<'dead-letter'>): Promise<Redis> {
  return (await deadLetters.client) as unknown as Redis;
}

/** Every dead-letter id, newest first (dead letters are never processed: they all wait). */
export function deadLetterIds(deadLetters: TypedQueue<'dead-letter'>): Promise<string[]> {
  return deadLetters.getRanges(['wait'], 0, -1, false);
}

function requestIdOf(data: unknown): string | undefined {
  const payload = data as { requestId?: unknown; request?: { requestId?: unknown } } | null;
  const id = payload?.requestId ?? payload?.request?.requestId;
  return typeof id === 'string' ? id : undefined;
}

function inboundIdOf(data: unknown): string | undefined {
  const id = (data as { inboundId?: unknown } | null)?.inboundId;
  return typeof id === 'string' ? id : undefined;
}

export function toDeadLetterEntry(
  job: Job<DeadLetterJob>,
  replayedAt: string | null | undefined,
): DeadLetterEntry {
  const letter = job.data;
  const requestId = requestIdOf(letter.data);
  const inboundId = inboundIdOf(letter.data);
  return {
    id: String(job.id),
    queue: letter.queue,
    jobId: letter.jobId,
    ...(letter.name !== undefined ? { name: letter.name } : {}),
    ...(letter.code !== undefined ? { code: letter.code } : {}),
    error: letter.error,
    ...(letter.attempts !== undefined ? { attempts: letter.attempts } : {}),
    failedAt: letter.failedAt,
    ...(replayedAt ? { replayedAt } : {}),
    ...(requestId !== undefined ? { requestId } : {}),
    ...(inboundId !== undefined ? { inboundId } : {}),
  };
}

/** Dead letters, newest first, filtered by original queue and error code. */
export async function listDeadLetters(
  deadLetters: TypedQueue<'dead-letter'>,
  filter: DeadLetterFilter = {},
): Promise<DeadLetterEntry[]> {
  const limit = filter.limit ?? Number.POSITIVE_INFINITY;
  // The id starts with the original queue's name: no payload is read for another queue.
  const ids = (await deadLetterIds(deadLetters)).filter(
    (id) => filter.queue === undefined || id.startsWith(`${filter.queue}-`),
  );
  const client = await redisOf(deadLetters);
  const entries: DeadLetterEntry[] = [];
  for (let start = 0; start < ids.length && entries.length < limit; start += PAGE) {
    const page = ids.slice(start, start + PAGE);
    const [jobs, marks] = await Promise.all([
      Promise.all(page.map((id) => deadLetters.getJob(id))),
      client.hmget(replayMarksKey(deadLetters), ...page),
    ]);
    jobs.forEach((job, index) => {
      if (!job || entries.length >= limit) return;
      if (filter.queue !== undefined && job.data.queue !== filter.queue) return;
      if (filter.code !== undefined && job.data.code !== filter.code) return;
      entries.push(toDeadLetterEntry(job, marks[index]));
    });
  }
  return entries;
}
