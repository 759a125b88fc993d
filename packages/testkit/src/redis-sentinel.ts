import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { dataNodeArgs, startRedisNode, type RedisNodeProcess } from './redis-node';

/** A master, its replicas and the sentinels watching them, all on 127.0.0.1. */
export interface RedisSentinelSet {
  /** RC_REDIS_URL for it: `redis+sentinel://127.0.0.1:s1,…/<masterName>` */
  url: string;
  masterName: string;
  master: RedisNodeProcess;
  replicas: RedisNodeProcess[];
  sentinels: RedisNodeProcess[];
  stop(): Promise<void>;
}

/**
 * Starts a master, `replicas` replicas of it and `sentinels` × `redis-server --sentinel`
 * monitoring it with quorum 1 and a 1 s down-after, so a test can kill the master and watch a
 * replica be promoted within seconds.
 */
export async function startRedisSentinels(
  options: { replicas?: number; sentinels?: number } = {},
): Promise<RedisSentinelSet> {
  const masterName = 'rcmaster';
  const started: RedisNodeProcess[] = [];
  const stop = async () => {
    await Promise.allSettled(started.map((node) => node.stop()));
  };
  try {
    const master = await startRedisNode(dataNodeArgs, { label: 'redis master' });
    started.push(master);
    const replicas: RedisNodeProcess[] = [];
    for (let i = 0; i < (options.replicas ?? 0); i++) {
      const replica = await startRedisNode(
        (port, dir) => [
          ...dataNodeArgs(port, dir),
          '--replicaof',
          '127.0.0.1',
          String(master.port),
        ],
        { label: `redis replica ${i + 1}` },
      );
      started.push(replica);
      replicas.push(replica);
    }
    const sentinels: RedisNodeProcess[] = [];
    for (let i = 0; i < (options.sentinels ?? 1); i++) {
      const sentinel = await startRedisNode(
        (port, dir) => {
          // Sentinel rewrites its config file with what it learns, so each gets its own.
          const file = path.join(dir, 'sentinel.conf');
          writeFileSync(
            file,
            [
              `port ${port}`,
              'bind 127.0.0.1',
              `dir ${dir}`,
              `sentinel monitor ${masterName} 127.0.0.1 ${master.port} 1`,
              `sentinel down-after-milliseconds ${masterName} 1000`,
              `sentinel failover-timeout ${masterName} 5000`,
              '',
            ].join('\n'),
          );
          return [file, '--sentinel'];
        },
        { label: `redis sentinel ${i + 1}` },
      );
      started.push(sentinel);
      sentinels.push(sentinel);
    }
    const seeds = sentinels.map((sentinel) => `127.0.0.1:${sentinel.port}`).join(',');
    return {
      url: `redis+sentinel://${seeds}/${masterName}`,
      masterName,
      master,
      replicas,
      sentinels,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
