import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

export type ScriptArgument = string | number;

/**
 * One of our Lua scripts, sent by its SHA1 (EVALSHA) rather than as its whole text with every
 * call (EVAL, which Redis also hashes each time). A server that does not hold it answers
 * NOSCRIPT and is sent the text once (EVAL caches it): after a restart, a SCRIPT FLUSH, a
 * failover, or on a Redis Cluster node that has not run it yet (EVALSHA is routed by its first
 * key, as EVAL is, so the fallback lands on the same node). NOSCRIPT means the script did not
 * run, so the fallback cannot run it twice.
 *
 * Not ioredis `defineCommand`: that adds a method to the shared connection, and ioredis copies
 * every such method into each pipeline and MULTI made from it (BullMQ defines ~50 already).
 */
export class RedisScript<Result = unknown> {
  readonly sha: string;

  constructor(
    /** names the script in errors */
    readonly name: string,
    readonly source: string,
  ) {
    this.sha = createHash('sha1').update(source).digest('hex');
  }

  async run(
    redis: Redis,
    keys: readonly string[],
    args: readonly ScriptArgument[] = [],
  ): Promise<Result> {
    try {
      return (await redis.evalsha(this.sha, keys.length, ...keys, ...args)) as Result;
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return (await redis.eval(this.source, keys.length, ...keys, ...args)) as Result;
    }
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
