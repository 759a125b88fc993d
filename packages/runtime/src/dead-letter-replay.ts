import type { DeadLetterJob, QueueName } from '@rc/contracts';
import type { Job, Queue } from 'bullmq';
import {
  deadLetterIds,
  listDeadLetters,
  redisOf,
  REPLAYABLE_QUEUES,
  replayMarksKey,
  type DeadLetterFilter,
} from './dead-letter-list';
import { checkJobContract } from './job-contract';
import type { TypedQueue } from './queues';
import type { Queues } from './service-host';

/** How a replayed job re-entered its queue. */
export type ReplayAction =
  /** the failed (or completed) original was moved back to waiting, with its attempts reset */
  | 'retried'
  /** the original was gone (removed after its retention): added anew under the same job id */
  | 'added'
  /** the original is still waiting, delayed or active: nothing to do */
  | 'already_queued';

export type ReplayRefusal = 'not_found' | 'already_replayed' | 'invalid';

export type ReplayResult =
  | {
      ok: true;
      id: string;
      queue: QueueName;
      jobId: string;
      action: ReplayAction;
      replayedAt: string;
    }
  | { ok: false; id: string; reason: ReplayRefusal; problems: string[] };

export interface ReplayOptions {
  /** replay even if it was replayed before */
  force?: boolean;
}

function queueOf(queues: Queues, name: string): Queue | undefined {
  if (!(REPLAYABLE_QUEUES as readonly string[]).includes(name)) return undefined;
  return queues[name as Exclude<QueueName, 'dead-letter'>] as unknown as Queue;
}

/**
 * Puts the original job back into its queue under its original id, so every idempotency key
 * derived from it holds: a replayed update tells the engine with the same Idempotency-Key, and
 * the task-updater skips an update that was applied meanwhile. BullMQ ignores an add whose id it
 * still holds, so a failed original is retried in place (atomically, attempts reset) rather than
 * added. A job that stalled out keeps its stall counter: if it stalls once more it is
 * dead-lettered at once.
 */
async function reenter(queue: Queue, letter: DeadLetterJob): Promise<ReplayAction> {
  const original = await queue.getJob(letter.jobId);
  if (original) {
    const state = await original.getState();
    if (state === 'failed' || state === 'completed') {
      try {
        await original.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
        return 'retried';
      } catch (error) {
        // removed by its retention between the read and the retry: add it anew below
        if (await queue.getJob(letter.jobId)) throw error;
      }
    } else if (state !== 'unknown') {
      return 'already_queued';
    }
  }
  await queue.add(letter.name ?? '', letter.data, { jobId: letter.jobId });
  return 'added';
}

/**
 * Replays one dead letter: checked against its queue's contract first (an invalid payload would
 * only fail again), claimed with HSETNX so that two operators replaying at once replay once,
 * then re-entered. The claim is released when re-entering fails. A crash between the claim and
 * re-entering leaves it marked but not replayed: `force` replays it again, harmlessly.
 */
export async function replayDeadLetter(
  queues: Queues,
  id: string,
  options: ReplayOptions = {},
): Promise<ReplayResult> {
  const deadLetters = queues.deadLetter;
  const job = (await deadLetters.getJob(id)) as Job<DeadLetterJob> | undefined;
  if (!job) return { ok: false, id, reason: 'not_found', problems: [`no dead letter ${id}`] };
  const letter = job.data;
  const queue = queueOf(queues, letter.queue);
  if (!queue) {
    const problems = [`queue: "${letter.queue}" is not one of ${REPLAYABLE_QUEUES.join(', ')}`];
    return { ok: false, id, reason: 'invalid', problems };
  }
  const checked = checkJobContract(letter.queue as QueueName, letter.name ?? '', letter.data);
  if (!checked.ok) return { ok: false, id, reason: 'invalid', problems: checked.problems };

  const client = await redisOf(deadLetters);
  const marks = replayMarksKey(deadLetters);
  const replayedAt = new Date().toISOString();
  if (options.force) {
    await client.hset(marks, id, replayedAt);
  } else if ((await client.hsetnx(marks, id, replayedAt)) === 0) {
    const before = await client.hget(marks, id);
    const problems = [`replayed before at ${before}; pass force to replay it again`];
    return { ok: false, id, reason: 'already_replayed', problems };
  }
  try {
    const action = await reenter(queue, letter);
    return {
      ok: true,
      id,
      queue: letter.queue as QueueName,
      jobId: letter.jobId,
      action,
      replayedAt,
    };
  } catch (error) {
    await client.hdel(marks, id);
    throw error;
  }
}

export interface ReplayAllOptions extends ReplayOptions, Omit<DeadLetterFilter, 'limit'> {
  /** after each dead letter: how many are done of how many, and what happened */
  onProgress?: (done: number, total: number, result: ReplayResult | ReplayError) => void;
}

/** A dead letter whose replay threw (Redis gone mid-way): reported, the rest go on. */
export interface ReplayError {
  ok: false;
  id: string;
  reason: 'error';
  problems: string[];
}

export interface ReplayAllSummary {
  total: number;
  replayed: number;
  /** already replayed and not forced */
  skipped: number;
  failed: (ReplayResult | ReplayError)[];
}

/**
 * Replays every dead letter that matches, one at a time: a poison job (invalid payload, a
 * replay that throws) is reported and the rest go on. Already replayed ones are skipped
 * unless forced; the ids are read once at the start, so dead letters written meanwhile (a
 * replayed job failing again) wait for the next run.
 */
export async function replayAllDeadLetters(
  queues: Queues,
  options: ReplayAllOptions = {},
): Promise<ReplayAllSummary> {
  const filtered = options.queue !== undefined || options.code !== undefined;
  const ids = filtered
    ? (await listDeadLetters(queues.deadLetter, options)).map((entry) => entry.id)
    : await deadLetterIds(queues.deadLetter);
  const summary: ReplayAllSummary = { total: ids.length, replayed: 0, skipped: 0, failed: [] };
  let done = 0;
  for (const id of ids) {
    let result: ReplayResult | ReplayError;
    try {
      result = await replayDeadLetter(queues, id, { force: options.force });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { ok: false, id, reason: 'error', problems: [message] };
    }
    if (result.ok) summary.replayed += 1;
    else if (result.reason === 'already_replayed') summary.skipped += 1;
    else summary.failed.push(result);
    done += 1;
    options.onProgress?.(done, ids.length, result);
  }
  return summary;
}

/**
 * Writes a dead letter under its deterministic id. A dead letter that was replayed is kept only
 * until its job fails again: then this failure replaces it, unmarked, so the operator sees it
 * (BullMQ would otherwise ignore the add, as the id is taken). Not replayed: the add is a no-op
 * for a second write of the same failure (a crash before the job was marked failed).
 */
export async function writeDeadLetter(
  deadLetters: TypedQueue<'dead-letter'>,
  letter: DeadLetterJob,
  id: string,
): Promise<void> {
  const client = await redisOf(deadLetters);
  const marks = replayMarksKey(deadLetters);
  if ((await client.hexists(marks, id)) === 1) {
    await (await deadLetters.getJob(id))?.remove();
    await client.hdel(marks, id);
  }
  await deadLetters.add('dead-letter', letter, { jobId: id });
}
