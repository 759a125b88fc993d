import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { QUEUE_NAMES } from '@rc/contracts';
import { createQueue, createRedis, listDeadLetters, type Redis } from '@rc/runtime';
import type { MailStack } from '../mail-stack';
import { openMailbox } from '../mailbox';
import { REPO_ROOT } from '../processes';

const run = promisify(execFile);

/** Jobs still to do (or stuck failed) per queue, and dead letters nobody replayed. */
export interface Backlog {
  pending: Record<string, number>;
  unreplayedDeadLetters: number;
  replayedDeadLetters: number;
}

const IN_FLIGHT = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'] as const;
const UNFINISHED = [...IN_FLIGHT, 'failed'] as const;

/** Reads the product's queues from Redis, as an operator's `rc status` would. */
export async function readBacklog(env: Record<string, string>): Promise<Backlog> {
  const redis: Redis = createRedis(env.RC_REDIS_URL ?? '', 'client');
  redis.on('error', () => undefined);
  const prefix = env.RC_QUEUE_PREFIX ?? 'rc';
  const queues = Object.values(QUEUE_NAMES).map((name) => createQueue(name, redis, prefix));
  try {
    const pending: Record<string, number> = {};
    for (const queue of queues) {
      if (queue.name === QUEUE_NAMES.deadLetter) continue;
      const counts = await queue.getJobCounts(...UNFINISHED);
      pending[queue.name] = Object.values(counts).reduce((sum, count) => sum + count, 0);
    }
    const deadLetter = createQueue(QUEUE_NAMES.deadLetter, redis, prefix);
    const letters = await listDeadLetters(deadLetter);
    await deadLetter.close();
    const replayed = letters.filter((letter) => letter.replayedAt).length;
    return {
      pending,
      unreplayedDeadLetters: letters.length - replayed,
      replayedDeadLetters: replayed,
    };
  } finally {
    await Promise.allSettled(queues.map((queue) => queue.close()));
    redis.disconnect();
  }
}

/** Inbound and update jobs still to run or retry (neither done nor dead letters yet). */
export async function updatesInFlight(env: Record<string, string>): Promise<number> {
  const redis: Redis = createRedis(env.RC_REDIS_URL ?? '', 'client');
  redis.on('error', () => undefined);
  const prefix = env.RC_QUEUE_PREFIX ?? 'rc';
  const queues = [QUEUE_NAMES.inbound, QUEUE_NAMES.update].map((name) =>
    createQueue(name, redis, prefix),
  );
  try {
    let total = 0;
    for (const queue of queues) {
      const counts = await queue.getJobCounts(...IN_FLIGHT);
      total += Object.values(counts).reduce((sum, count) => sum + count, 0);
    }
    return total;
  } finally {
    await Promise.allSettled(queues.map((queue) => queue.close()));
    redis.disconnect();
  }
}

export async function mailboxCount(stack: MailStack, address: string): Promise<number> {
  const mailbox = await openMailbox(stack, address);
  try {
    return await mailbox.count();
  } finally {
    await mailbox.close();
  }
}

/** `pnpm rc dlq replay --all`, as an operator runs it; returns its summary line. */
export async function replayAllDeadLetters(env: Record<string, string>): Promise<string> {
  const outcome = await run('pnpm', ['--silent', 'rc', 'dlq', 'replay', '--all'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
  }).then(
    ({ stdout }) => stdout,
    // exit 1: some dead letter could not be replayed; its lines say which
    (error: { stdout?: string; message: string }) =>
      `${error.stdout ?? ''}\nfailed: ${error.message}`,
  );
  return outcome.trim().split('\n').at(-1) ?? '';
}
