import { randomBytes } from 'node:crypto';
import { createRedis, type Redis } from '@rc/runtime';
import { startRedis, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RAW_MESSAGE_TTL_MS, RawMessageStore, storeKeys } from '../src/index';

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

const freshPrefix = () => `{raw${randomBytes(3).toString('hex')}}`;
const MB = 1024 * 1024;

describe('RawMessageStore', () => {
  it('keeps bytes as they are, under the prefix, with the retention expiry', async () => {
    const prefix = freshPrefix();
    const store = new RawMessageStore(redis, prefix);
    // every byte value, and sizes around the piece size it is written and read in
    const messages = [100 * 1024, MB, MB + 1, 3 * MB - 7].map((size, i) => ({
      ref: `m${i}`,
      bytes: randomBytes(size),
    }));
    await store.put(messages);
    for (const { ref, bytes } of messages) {
      const read = await store.get(ref);
      expect(Buffer.isBuffer(read)).toBe(true);
      expect(read?.equals(bytes), ref).toBe(true);
      const ttl = await redis.pttl(storeKeys(prefix).rawMessage(ref));
      expect(ttl).toBeGreaterThan(RAW_MESSAGE_TTL_MS - 60_000);
      expect(ttl).toBeLessThanOrEqual(RAW_MESSAGE_TTL_MS);
    }
    // nothing but the stored messages: no staging copy left behind, every key under the prefix
    const keys = await redis.keys(`${prefix}*`);
    expect(keys.sort()).toEqual(
      messages.map(({ ref }) => storeKeys(prefix).rawMessage(ref)).sort(),
    );
  });

  it('stores a message once: a second put keeps the first bytes and renews the expiry', async () => {
    const prefix = freshPrefix();
    const store = new RawMessageStore(redis, prefix, 60_000);
    const key = storeKeys(prefix).rawMessage('twice');
    for (const size of [200 * 1024, 2 * MB + 3]) {
      const first = randomBytes(size);
      await store.put([{ ref: 'twice', bytes: first }]);
      await redis.pexpire(key, 1_000);
      await store.put([{ ref: 'twice', bytes: randomBytes(size) }]);
      expect((await store.get('twice'))?.equals(first)).toBe(true);
      expect(await redis.pttl(key)).toBeGreaterThan(50_000);
      expect(await redis.keys(`${prefix}*`)).toEqual([key]);
      await store.delete('twice');
    }
  });

  it('gone bytes read as null; delete removes them', async () => {
    const store = new RawMessageStore(redis, freshPrefix());
    expect(await store.get('never-stored')).toBeNull();
    await store.put([{ ref: 'small', bytes: randomBytes(70_000) }]);
    await store.put([{ ref: 'large', bytes: randomBytes(2 * MB) }]);
    await store.delete('small');
    await store.delete('large');
    expect(await store.get('small')).toBeNull();
    expect(await store.get('large')).toBeNull();
  });

  it('refuses a reference that is not a plain id', async () => {
    const store = new RawMessageStore(redis, freshPrefix());
    await expect(store.get('../x')).rejects.toThrow(/not a raw message reference/);
    await expect(store.put([{ ref: 'a b', bytes: Buffer.from('x') }])).rejects.toThrow(
      /not a raw message reference/,
    );
  });

  it('lives beside a queue: its connection and its prefix', async () => {
    const prefix = freshPrefix();
    const store = await RawMessageStore.beside({
      client: Promise.resolve(redis),
      opts: { prefix },
    });
    await store.put([{ ref: 'q', bytes: Buffer.alloc(100_000, 1) }]);
    expect(await redis.strlen(storeKeys(prefix).rawMessage('q'))).toBe(100_000);
  });
});
