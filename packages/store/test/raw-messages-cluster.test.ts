import { randomBytes } from 'node:crypto';
import { createRedis, type Redis } from '@rc/runtime';
import { startRedisCluster, type RedisClusterServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawMessageStore } from '../src/index';

/**
 * On a Redis Cluster the pieces, the staging key, its rename into place and the ranged reads
 * all address keys of the prefix's {hash-tag}: one slot, so none of them is refused CROSSSLOT.
 */

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

describe('RawMessageStore on a Redis Cluster', () => {
  it('stores, reads and deletes large and small messages under a hash-tagged prefix', async () => {
    const store = new RawMessageStore(redis, `{rc-${randomBytes(3).toString('hex')}}`);
    const messages = [
      { ref: 'small', bytes: randomBytes(80_000) },
      { ref: 'large', bytes: randomBytes(2 * 1024 * 1024 + 11) },
    ];
    await store.put(messages);
    await store.put(messages); // a second fetch: NX, expiry renewed
    for (const { ref, bytes } of messages) {
      expect((await store.get(ref))?.equals(bytes), ref).toBe(true);
      await store.delete(ref);
      expect(await store.get(ref)).toBeNull();
    }
  });
});
