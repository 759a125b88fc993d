import {
  startRedis,
  startRedisCluster,
  type RedisClusterServer,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, RedisScript, type Redis } from '../src/redis';

/** Our Lua scripts go by SHA1 (EVALSHA) and load themselves where Redis does not have them. */

const COUNTER = new RedisScript<number>(
  'counter',
  "redis.call('SET', KEYS[1], ARGV[1], 'NX'); return redis.call('INCR', KEYS[2])",
);
const FAILING = new RedisScript('failing', "return redis.call('INCR', KEYS[1])");

/** calls per command name, as Redis counts them (scripts' inner calls included) */
async function calls(redis: Redis, ...names: string[]): Promise<number[]> {
  const info = await redis.info('commandstats');
  return names.map((name) =>
    Number(new RegExp(`cmdstat_${name}:calls=(\\d+)`).exec(info)?.[1] ?? 0),
  );
}

describe('RedisScript on one Redis', () => {
  let server: RedisServer;
  let redis: Redis;
  beforeAll(async () => {
    server = await startRedis();
    redis = createRedis(server.url, 'client');
  });
  afterAll(async () => {
    await redis?.quit();
    await server?.stop();
  });

  it('loads itself once (NOSCRIPT → EVAL), then runs by its SHA1 alone', async () => {
    await redis.script('FLUSH');
    await redis.config('RESETSTAT');
    expect(await COUNTER.run(redis, ['s:a', 's:n'], ['x'])).toBe(1);
    expect(await COUNTER.run(redis, ['s:a', 's:n'], ['x'])).toBe(2);
    expect(await COUNTER.run(redis, ['s:a', 's:n'], ['x'])).toBe(3);
    // one failed EVALSHA and one EVAL for the first call; EVALSHA only for the others
    expect(await calls(redis, 'evalsha', 'eval', 'incr')).toEqual([3, 1, 3]);
    expect(await redis.script('EXISTS', COUNTER.sha)).toEqual([1]);
  });

  it('a flushed script cache (a restart, a failover) costs one EVAL, never a lost or doubled run', async () => {
    await redis.del('s:f');
    expect(await COUNTER.run(redis, ['s:b', 's:f'], ['x'])).toBe(1);
    await redis.script('FLUSH');
    expect(await COUNTER.run(redis, ['s:b', 's:f'], ['x'])).toBe(2);
    expect(await redis.get('s:f')).toBe('2');
  });

  it('on an auto-pipelining connection: one tick, one write, every answer its own', async () => {
    const piped = createRedis(server.url, 'client', { autoPipelining: true });
    try {
      await piped.script('FLUSH');
      const runs = ['p1', 'p2', 'p3'].flatMap((key) =>
        [1, 2].map(() => COUNTER.run(piped, [`s:${key}:x`, `s:${key}:n`], ['v'])),
      );
      // all six went into the one pipeline of this tick (each NOSCRIPT retry into the next)
      expect(piped.autoPipelineQueueSize).toBe(6);
      expect((await Promise.all(runs)).sort()).toEqual([1, 1, 1, 2, 2, 2]);
      await piped.set('s:piped-text', 'not a number');
      await expect(FAILING.run(piped, ['s:piped-text'])).rejects.toThrow(/not an integer/);
    } finally {
      await piped.quit();
    }
  });

  it("a script's own error reaches the caller, not the fallback", async () => {
    await redis.set('s:text', 'not a number');
    await expect(FAILING.run(redis, ['s:text'])).rejects.toThrow(/not an integer/);
    await redis.config('RESETSTAT');
    await expect(FAILING.run(redis, ['s:text'])).rejects.toThrow(/not an integer/);
    expect(await calls(redis, 'eval')).toEqual([0]);
  });
});

describe('RedisScript on a Redis Cluster', () => {
  let cluster: RedisClusterServer;
  let redis: Redis;
  beforeAll(async () => {
    cluster = await startRedisCluster(3);
    redis = createRedis(cluster.url, 'client');
  }, 60_000);
  afterAll(async () => {
    await redis?.quit();
    await cluster?.stop();
  });

  it('loads itself on each node that serves its keys, routed by the first key', async () => {
    // hash tags in three different slots: most likely several masters, each without the script
    const tags = ['{a}', '{b}', '{c}', '{d}', '{e}'];
    for (const tag of tags)
      expect(await COUNTER.run(redis, [`${tag}:x`, `${tag}:n`], ['v'])).toBe(1);
    for (const tag of tags)
      expect(await COUNTER.run(redis, [`${tag}:x`, `${tag}:n`], ['v'])).toBe(2);
    await expect(COUNTER.run(redis, ['rc:a', 'rc:b'], ['v'])).rejects.toThrow(/CROSSSLOT/);
  });

  it('runs on an auto-pipelining cluster client, each call on the node of its keys', async () => {
    const piped = createRedis(cluster.url, 'client', { autoPipelining: true });
    try {
      const tags = ['{f}', '{g}', '{h}', '{i}', '{j}', '{k}'];
      const first = await Promise.all(
        tags.map((tag) => COUNTER.run(piped, [`${tag}:x`, `${tag}:n`], ['v'])),
      );
      expect(first).toEqual(tags.map(() => 1));
      const second = await Promise.all(
        tags.map((tag) => COUNTER.run(piped, [`${tag}:x`, `${tag}:n`], ['v'])),
      );
      expect(second).toEqual(tags.map(() => 2));
    } finally {
      await piped.quit();
    }
  });
});
