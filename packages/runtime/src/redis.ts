import { Redis, type RedisOptions } from 'ioredis';

export type { Redis } from 'ioredis';

/**
 * BullMQ's production guide: workers need `maxRetriesPerRequest: null` (a blocking command
 * must survive a reconnect), while producers and plain reads should fail fast so an HTTP
 * caller gets a 503 instead of a hung request.
 */
export function createRedis(url: string, purpose: 'worker' | 'client'): Redis {
  const options: RedisOptions = {
    maxRetriesPerRequest: purpose === 'worker' ? null : 2,
    enableReadyCheck: true,
    connectionName: `rc-${purpose}`,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  };
  return new Redis(url, options);
}

export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer: ${answer}`);
}
