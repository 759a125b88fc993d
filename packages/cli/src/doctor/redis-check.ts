import { createRedis, pingRedis, type Redis } from '@rc/runtime';
import { CheckProblem, type DoctorCheck, type Finding } from './check';

/** The Redis URL without its password, for messages. */
export function redisAddress(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return 'RC_REDIS_URL';
  }
}

async function configValue(redis: Redis, name: string): Promise<string | undefined> {
  // Managed Redis (ElastiCache, Azure Cache) often refuses CONFIG: then INFO has to do.
  const answer = (await redis.config('GET', name).catch(() => [])) as string[];
  return answer[1];
}

function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, 'm').exec(info)?.[1]?.trim();
}

const PERSISTENCE_FIX =
  'turn on AOF: `CONFIG SET appendonly yes` now and `appendonly yes` in redis.conf (or your provider\'s "data persistence" setting)';

/**
 * Reachable, and durable: queued mail, requests and claims live only in Redis, so without AOF a
 * Redis restart loses whatever was accepted since the last snapshot. BullMQ also needs
 * `maxmemory-policy noeviction`: an evicted job key is a lost job.
 */
async function inspect(
  redis: Redis,
  url: string,
  connectionError: () => Error | undefined,
): Promise<Finding> {
  try {
    await pingRedis(redis);
  } catch (error) {
    // ioredis rejects the command with "max retries reached"; the cause is the connection's error.
    const cause = connectionError() ?? error;
    const message = cause instanceof Error ? cause.message : String(cause);
    if (/NOAUTH|WRONGPASS|invalid password|invalid username/i.test(message)) {
      throw new CheckProblem(
        `${redisAddress(url)} refused the login (${message.split(' ')[0]})`,
        'put the right user and password into RC_REDIS_URL (redis://:PASSWORD@host:6379 or redis://USER:PASSWORD@host:6379)',
      );
    }
    const code = /\b(E[A-Z]+)\b/.exec(message)?.[1] ?? 'no answer';
    throw new CheckProblem(
      `${redisAddress(url)} is unreachable (${code})`,
      'check RC_REDIS_URL and that Redis runs and accepts connections from this machine',
    );
  }
  const info = await redis.info('persistence');
  const aof = (await configValue(redis, 'appendonly')) ?? infoField(info, 'aof_enabled');
  const policy = await configValue(redis, 'maxmemory-policy');
  const at = redisAddress(url);
  if (policy !== undefined && policy !== 'noeviction') {
    return {
      status: 'warn',
      detail: `${at} answers, but maxmemory-policy is ${policy}: under memory pressure Redis deletes queued jobs`,
      fix: '`CONFIG SET maxmemory-policy noeviction` and the same in redis.conf (BullMQ requires it)',
    };
  }
  if (aof === 'yes' || aof === '1') {
    const fsync = await configValue(redis, 'appendfsync');
    return {
      status: 'ok',
      detail: `${at} answers; persistence: AOF${fsync ? ` (appendfsync ${fsync})` : ''}`,
    };
  }
  const save = await configValue(redis, 'save');
  const snapshots = save ? `only RDB snapshots (save ${save})` : 'no persistence at all';
  return {
    status: 'warn',
    detail: `${at} answers, but with ${snapshots}: a Redis restart loses queued emails, requests and answers`,
    fix: PERSISTENCE_FIX,
  };
}

export function redisCheck(url: string, tlsCaFile?: string): DoctorCheck {
  return {
    name: 'redis',
    hangFix: 'check RC_REDIS_URL: a firewall may drop the connection',
    async run(signal) {
      const redis = createRedis(url, 'client', { tlsCaFile });
      let lastError: Error | undefined;
      redis.on('error', (error: Error) => (lastError = error));
      signal.addEventListener('abort', () => redis.disconnect(), { once: true });
      try {
        return await inspect(redis, url, () => lastError);
      } finally {
        redis.disconnect();
      }
    },
  };
}
