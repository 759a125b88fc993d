import {
  startRedisCluster,
  startRedisSentinels,
  waitUntil,
  type RedisClusterServer,
  type RedisSentinelSet,
} from '@rc/testkit';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';
import { createRedis, parseRedisUrl, type Redis } from '../src/redis';

const SECRET = 'Tr0ub4dor3SECRET';

describe('RC_REDIS_URL forms', () => {
  it.each([
    ['redis://127.0.0.1:6379', { kind: 'standalone', url: 'redis://127.0.0.1:6379' }],
    [
      'redis://h1:7000,h2:7001',
      { kind: 'cluster', tls: false, nodes: [h('h1', 7000), h('h2', 7001)] },
    ],
    [
      `rediss://default:${SECRET}@h1,h2:7001/`,
      {
        kind: 'cluster',
        tls: true,
        username: 'default',
        password: SECRET,
        nodes: [h('h1', 6379), h('h2', 7001)],
      },
    ],
    [
      'redis+cluster://redis-cluster:6379',
      { kind: 'cluster', tls: false, nodes: [h('redis-cluster', 6379)] },
    ],
    [
      `redis+sentinel://:${SECRET}@s1,s2:26380/mymaster/2`,
      {
        kind: 'sentinel',
        tls: false,
        password: SECRET,
        masterName: 'mymaster',
        db: 2,
        sentinels: [h('s1', 26379), h('s2', 26380)],
      },
    ],
    [
      'redis://[::1]:7000,[::1]:7001',
      { kind: 'cluster', tls: false, nodes: [h('::1', 7000), h('::1', 7001)] },
    ],
  ])('%s', (url, topology) => {
    expect(parseRedisUrl(url)).toEqual(topology);
  });

  it.each([
    ['http://h1:7000', ''],
    ['redis://h1:7000,h2:port', ''],
    ['redis://h1:7000,,h2', ''],
    ['redis://h1:7000,h2:7001/3', 'a Redis Cluster has only database 0: drop the path'],
    ['redis+sentinel://s1:26379', 'a Sentinel URL ends in /<master name>[/<db>]'],
  ])('refuses %s', (url, problem) => {
    expect(parseRedisUrl(url)).toEqual({ problem });
  });

  function problems(env: Record<string, string>): string[] {
    try {
      loadConfig(
        {
          RC_MAILBOX_ADDRESS: 'approvals@corp.example',
          RC_SMTP_HOST: 'smtp.corp.example',
          RC_SIGNING_KEYS: `k1:${'ab'.repeat(24)}`,
          ...env,
        },
        ['sender'],
      );
      return [];
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      return error.problems;
    }
  }

  it('a cluster without a {hash-tag} prefix is a config problem (exit 78) that says why', () => {
    const cluster = { RC_REDIS_URL: `redis://:${SECRET}@h1:7000,h2:7001` };
    const found = problems({ ...cluster, RC_QUEUE_PREFIX: 'rc' });
    expect(found).toEqual([
      expect.stringMatching(
        /^RC_QUEUE_PREFIX: needs a \{hash-tag\} on a Redis Cluster .*one slot.*e\.g\. RC_QUEUE_PREFIX=\{rc\}$/,
      ),
    ]);
    expect(problems({ ...cluster, RC_QUEUE_PREFIX: '{}rc' })).toHaveLength(1); // empty tag
    expect(problems({ ...cluster, RC_QUEUE_PREFIX: '{rc}' })).toEqual([]);
    expect(problems({ RC_REDIS_URL: 'redis://h1:7000', RC_QUEUE_PREFIX: 'rc' })).toEqual([]);
  });

  it('a bad URL names the forms and never echoes the password', () => {
    const [line = ''] = problems({ RC_REDIS_URL: `redis+sentinel://:${SECRET}@s1:26379` });
    expect(line).toMatch(/^RC_REDIS_URL: must be a redis: or rediss: URL .*redis\+sentinel:\/\//);
    expect(line).toContain('ends in /<master name>');
    expect(line).not.toContain(SECRET);
  });
});

function h(host: string, port: number) {
  return { host, port };
}

describe('on a real Redis Cluster', () => {
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

  it('a script over keys sharing a {hash-tag} runs; without the tag the cluster refuses it', async () => {
    const script = "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCR', KEYS[2])";
    expect(await redis.eval(script, 2, '{t}:a', '{t}:b', 'x')).toBe(1);
    // keys in several slots, served by several masters: what a prefix without a tag means
    await expect(redis.eval(script, 2, 'rc:a', 'rc:b', 'x')).rejects.toThrow(/CROSSSLOT/);
  });

  it('BullMQ queues and workers run on it with a {hash-tag} prefix', async () => {
    const prefix = '{rct}';
    const queue = new Queue('jobs', { connection: redis, prefix });
    const workerRedis = createRedis(cluster.url, 'worker');
    const done: string[] = [];
    const worker = new Worker('jobs', async (job) => void done.push(job.id ?? ''), {
      connection: workerRedis,
      prefix,
    });
    try {
      await Promise.all(['a', 'b', 'c'].map((id) => queue.add('job', {}, { jobId: id })));
      await waitUntil('three jobs done', () => (done.length === 3 ? true : undefined), 15_000);
      expect(done.sort()).toEqual(['a', 'b', 'c']);
    } finally {
      await worker.close();
      await queue.close();
      await workerRedis.quit();
    }
  });
});

describe('behind Redis Sentinel', () => {
  let set: RedisSentinelSet;
  beforeAll(async () => {
    set = await startRedisSentinels({ replicas: 1, sentinels: 1 });
  }, 60_000);
  afterAll(async () => {
    await set?.stop();
  });

  it('finds the master through the sentinel, and the new one after the master is killed', async () => {
    const redis = createRedis(set.url, 'worker');
    redis.on('error', () => undefined); // the kill below cuts the connection on purpose
    try {
      await redis.set('k', 'before');
      expect(Number((await redis.info('server')).match(/tcp_port:(\d+)/)?.[1])).toBe(
        set.master.port,
      );
      await waitUntil('the replica in sync', async () => {
        const info = await redis.info('replication');
        return /slave0:.*state=online/.test(info) ? true : undefined;
      });
      await redis.wait(1, 2000);
      set.master.child.kill('SIGKILL');
      const failedOverAt = Date.now();
      await redis.set('k', 'after'); // queued (maxRetriesPerRequest: null) until the promotion
      const port = Number((await redis.info('server')).match(/tcp_port:(\d+)/)?.[1]);
      expect(port).toBe(set.replicas[0]?.port);
      expect(await redis.get('k')).toBe('after');
      console.log(`sentinel failover: writes again after ${Date.now() - failedOverAt} ms`);
    } finally {
      redis.disconnect();
    }
  }, 60_000);
});
