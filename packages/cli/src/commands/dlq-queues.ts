import {
  REPLAYABLE_QUEUES,
  createQueues,
  createRedis,
  type Config,
  type Queues,
} from '@rc/runtime';

/**
 * The queues as the services open them (same prefix, same Redis), for one command: `use` runs
 * with them and everything is closed afterwards, also when it throws.
 */
export async function withQueues<T>(
  config: Config,
  use: (queues: Queues) => Promise<T>,
): Promise<T> {
  const redis = createRedis(config.redisUrl, 'client', { tlsCaFile: config.tlsCaFile });
  redis.on('error', () => undefined); // the first command that needs Redis reports it
  const queues = createQueues(redis, config);
  try {
    return await use(queues);
  } finally {
    const all: { close(): Promise<void> }[] = Object.values(queues);
    await Promise.allSettled(all.map((queue) => queue.close()));
    redis.disconnect();
  }
}

/** `--queue` and `--code` checked before any connection is made; problems for the usage line. */
export function filterProblems(values: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const queue = values.queue;
  if (typeof queue === 'string' && !(REPLAYABLE_QUEUES as readonly string[]).includes(queue))
    problems.push(`--queue must be one of ${REPLAYABLE_QUEUES.join(', ')}, not "${queue}"`);
  const code = values.code;
  if (typeof code === 'string' && !/^[A-Z0-9_]+$/.test(code))
    problems.push(`--code must be an error code like ENGINE_UNAVAILABLE, not "${code}"`);
  return problems;
}

export function stringOption(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
