import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { QUEUE_NAMES, type QueueName } from '@rc/contracts';
import {
  createQueue,
  createRedis,
  listDeadLetters,
  type Redis,
  type TypedQueue,
} from '@rc/runtime';
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

type JobState = Parameters<ProductQueue['getJobCounts']>[number];
const IN_FLIGHT: JobState[] = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children'];
const UNFINISHED: JobState[] = [...IN_FLIGHT, 'failed'];

type ProductQueue = ReturnType<typeof createQueue<QueueName>>;

/** Opens the product's queues on a connection of their own, and closes them after `use`. */
async function withQueues<T>(
  env: Record<string, string>,
  use: (queues: Map<QueueName, ProductQueue>) => Promise<T>,
): Promise<T> {
  const redis: Redis = createRedis(env.RC_REDIS_URL ?? '', 'client');
  redis.on('error', () => undefined);
  const queues = new Map(
    Object.values(QUEUE_NAMES).map((name) => [
      name,
      createQueue(name, redis, env.RC_QUEUE_PREFIX ?? 'rc') as ProductQueue,
    ]),
  );
  try {
    return await use(queues);
  } finally {
    await Promise.allSettled([...queues.values()].map((queue) => queue.close()));
    redis.disconnect();
  }
}

async function count(queue: ProductQueue | undefined, states: readonly JobState[]) {
  const counts = (await queue?.getJobCounts(...states)) ?? {};
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

/** Reads the product's queues from Redis, as an operator's `rc status` would. */
export function readBacklog(env: Record<string, string>): Promise<Backlog> {
  return withQueues(env, async (queues) => {
    const pending: Record<string, number> = {};
    for (const [name, queue] of queues) {
      if (name !== QUEUE_NAMES.deadLetter) pending[name] = await count(queue, UNFINISHED);
    }
    const letters = await listDeadLetters(
      queues.get(QUEUE_NAMES.deadLetter) as TypedQueue<'dead-letter'>,
    );
    const replayed = letters.filter((letter) => letter.replayedAt).length;
    return {
      pending,
      unreplayedDeadLetters: letters.length - replayed,
      replayedDeadLetters: replayed,
    };
  });
}

/** Inbound and update jobs still to run or retry (neither done nor dead letters yet). */
export function updatesInFlight(env: Record<string, string>): Promise<number> {
  return withQueues(
    env,
    async (queues) =>
      (await count(queues.get(QUEUE_NAMES.inbound), IN_FLIGHT)) +
      (await count(queues.get(QUEUE_NAMES.update), IN_FLIGHT)),
  );
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
