import { Cluster, Redis, type RedisOptions } from 'ioredis';
import { parseRedisUrl, type RedisTopology } from './redis-url';
import { tlsTrustOptions } from './tls';

export type { Redis } from 'ioredis';
export { hasHashTag, parseRedisUrl, type RedisNode, type RedisTopology } from './redis-url';
export { RedisScript, type ScriptArgument } from './redis-script';

/**
 * One Redis connection for RC_REDIS_URL: a server, a Redis Cluster or a Sentinel-managed master.
 *
 * BullMQ's production guide: workers need `maxRetriesPerRequest: null` (a blocking command
 * must survive a reconnect), while producers and plain reads should fail fast so an HTTP
 * caller gets a 503 instead of a hung request.
 *
 * A Cluster is returned typed as `Redis`: ioredis gives both the same command methods, Lua
 * scripts (`eval`), MULTI, `duplicate()`, `quit()` and events, and BullMQ tells them apart at
 * run time (`isCluster`). What differs is routing: a script or MULTI must keep its keys in
 * one slot (RC_QUEUE_PREFIX's `{hash-tag}`, required by the config) and SCAN/KEYS see one node
 * only (no service uses them). `duplicate(options)` must not be called with options, as the
 * Cluster's first parameter is a node list: call `createRedis` again instead.
 */
export function createRedis(
  url: string,
  purpose: 'worker' | 'client' | 'queues',
  { autoPipelining = false, tlsCaFile }: RedisClientOptions = {},
): Redis {
  const topology = parseRedisUrl(url);
  // rediss: the public roots, and RC_TLS_CA_FILE's private CA beside them when it is set
  const tls = tlsTrustOptions(tlsCaFile) ?? {};
  const options: RedisOptions = {
    maxRetriesPerRequest: purpose === 'worker' ? null : 2,
    enableReadyCheck: true,
    connectionName: `rc-${purpose}`,
    retryStrategy: (times) => Math.min(times * 200, 5000),
  };
  if (autoPipelining) options.enableAutoPipelining = true;
  if ('problem' in topology || topology.kind === 'standalone')
    return new Redis(url, { ...options, ...(/^rediss:/i.test(url) ? { tls } : {}) });
  if (topology.kind === 'sentinel') return sentinelClient(topology, options, tls);
  return clusterClient(topology, options, tls) as unknown as Redis;
}

export interface RedisClientOptions {
  /**
   * Commands issued in the same tick go out in one socket write (ioredis auto-pipelining):
   * each write is a system call, and a busy service issues many small commands at once. Not
   * for a connection BullMQ defines its scripts on: ioredis copies every defined script into
   * each pipeline it builds, which costs more than the write it saves.
   */
  autoPipelining?: boolean;
  /** RC_TLS_CA_FILE: a private CA trusted beside the public roots on `rediss` connections */
  tlsCaFile?: string;
}

type TlsOptions = NonNullable<RedisOptions['tls']>;

function nodeOptions(
  topology: Exclude<RedisTopology, { kind: 'standalone' }>,
  tls: TlsOptions,
): RedisOptions {
  return {
    ...(topology.username ? { username: topology.username } : {}),
    ...(topology.password ? { password: topology.password } : {}),
    ...(topology.tls ? { tls } : {}),
  };
}

function clusterClient(
  topology: Extract<RedisTopology, { kind: 'cluster' }>,
  options: RedisOptions,
  tls: TlsOptions,
): Cluster {
  // The cluster client pipelines per node itself; its node connections do not.
  const { enableAutoPipelining = false, ...perNode } = options;
  return new Cluster(topology.nodes, {
    enableAutoPipelining,
    redisOptions: { ...perNode, ...nodeOptions(topology, tls) },
    clusterRetryStrategy: (times) => Math.min(times * 200, 5000),
    // A failover moves slots; keep commands queued while the client re-reads the slot map.
    enableOfflineQueue: true,
    slotsRefreshTimeout: 2000,
    // Managed TLS clusters (ElastiCache, Azure) announce nodes by address while the certificate
    // names the configuration endpoint; resolving in ioredis keeps the name for the TLS check.
    ...(topology.tls ? { dnsLookup: (address, done) => done(null, address) } : {}),
  });
}

function sentinelClient(
  topology: Extract<RedisTopology, { kind: 'sentinel' }>,
  options: RedisOptions,
  tls: TlsOptions,
): Redis {
  return new Redis({
    ...options,
    ...nodeOptions(topology, tls),
    sentinels: topology.sentinels,
    name: topology.masterName,
    db: topology.db,
    ...(topology.tls ? { enableTLSForSentinelMode: true, sentinelTLS: tls } : {}),
    sentinelRetryStrategy: (times) => Math.min(times * 200, 5000),
    // After a failover the old master turns replica and refuses writes (READONLY): reconnect,
    // and so ask the sentinels again who the master is now.
    reconnectOnError: (error) => error.message.startsWith('READONLY'),
  });
}

export async function pingRedis(redis: Redis): Promise<void> {
  const answer = await redis.ping();
  if (answer !== 'PONG') throw new Error(`unexpected PING answer: ${answer}`);
}
