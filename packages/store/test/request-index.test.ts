import { createRedis, type Redis } from '@rc/runtime';
import { startRedis, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestStore, storeKeys, storedRequestFromJob, type StoredRequest } from '../src/index';

/** The creation index behind RequestStore.recent() (the admin page's list), on real Redis. */

let server: RedisServer;
let redis: Redis;
let prefixCounter = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = createRedis(server.url, 'client');
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

function freshPrefix(): string {
  prefixCounter += 1;
  return `ri${prefixCounter}`;
}

function request(id: string, createdAt: string): StoredRequest {
  return storedRequestFromJob(
    {
      kind: 'request',
      request: {
        requestId: id,
        taskId: `T-${id}`,
        title: `Task ${id}`,
        assignees: [{ email: 'a@x.example' }],
      },
      requestedAt: createdAt,
    },
    86_400_000,
  );
}

const minute = (n: number) => new Date(Date.UTC(2030, 0, 1, 12, n)).toISOString();

describe('RequestStore.recent', () => {
  it('lists requests newest first by creation time, whatever the order they were written in', async () => {
    const store = new RequestStore(redis, freshPrefix());
    await store.create(request('b', minute(2)));
    await store.create(request('c', minute(3)));
    await store.create(request('a', minute(1)));
    expect((await store.recent(10)).map((record) => record.requestId)).toEqual(['c', 'b', 'a']);
    expect((await store.recent(2)).map((record) => record.requestId)).toEqual(['c', 'b']);
  });

  it('shows each request once, with its state, even when it was created twice', async () => {
    const store = new RequestStore(redis, freshPrefix());
    await store.create(request('r1', minute(1)));
    await store.create({ ...request('r1', minute(5)), title: 'Again' });
    await store.cancel('r1', minute(6));
    const [only, ...rest] = await store.recent(10);
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ requestId: 'r1', title: 'Task r1', status: 'cancelled' });
  });

  it('skips and forgets ids whose request is gone, and still fills the page', async () => {
    const prefix = freshPrefix();
    const store = new RequestStore(redis, prefix);
    for (let n = 1; n <= 6; n++) await store.create(request(`r${n}`, minute(n)));
    // The newest three expire (as after their retention) or were never written (a crash
    // between the index and the request).
    await redis.del(`${prefix}:req:r6`, `${prefix}:req:r5`);
    await redis.zadd(storeKeys(prefix).requestsByCreation(), Date.parse(minute(9)), 'crashed');
    expect((await store.recent(2)).map((record) => record.requestId)).toEqual(['r4', 'r3']);
    expect(await redis.zrange(storeKeys(prefix).requestsByCreation(), 0, -1)).toEqual([
      'r1',
      'r2',
      'r3',
      'r4',
    ]);
    expect((await store.recent(10)).map((record) => record.requestId)).toEqual([
      'r4',
      'r3',
      'r2',
      'r1',
    ]);
  });
});
