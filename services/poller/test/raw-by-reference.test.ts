import { randomBytes } from 'node:crypto';
import { inboundJobSchema, type InboundJob } from '@rc/contracts';
import { createQueue, createRedis, type Redis, type TypedQueue } from '@rc/runtime';
import { RAW_INLINE_MAX_BYTES, RawMessageStore, storeKeys } from '@rc/store';
import { startRedis, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FetchedMessage, MailboxSource } from '../src/adapters/mailbox-source';
import { syncBatch } from '../src/process';

/**
 * A large message travels by reference: its bytes are stored once in Redis before its job is
 * queued, and the job names them instead of carrying base64. Small ones stay inline. Both
 * mailbox kinds go through the same syncBatch (Graph names its messages, IMAP hashes them).
 */

let server: RedisServer;
let redis: Redis;
const queues: TypedQueue<'inbound'>[] = [];

beforeAll(async () => {
  server = await startRedis();
  redis = createRedis(server.url, 'queues');
});
afterAll(async () => {
  for (const queue of queues) {
    await queue.obliterate({ force: true }).catch(() => undefined);
    await queue.close();
  }
  await redis?.quit();
  await server?.stop();
});

function message(id: string, bytes: number): FetchedMessage {
  const head = `From: alice@corp.example\r\nSubject: ${id}\r\nMessage-ID: <${id}@corp.example>\r\n\r\n`;
  const source = Buffer.concat([Buffer.from(head), randomBytes(Math.max(0, bytes - head.length))]);
  return { id, size: source.length, source, truncated: false };
}

/** An in-memory mailbox: what it was asked to remove, and what Redis held at that moment. */
function memoryMailbox(kind: MailboxSource['kind'], messages: FetchedMessage[]) {
  const removed: string[] = [];
  const source: MailboxSource = {
    kind,
    name: `${kind}:memory`,
    async connect() {},
    async list(limit) {
      return messages
        .filter((m) => !removed.includes(m.id))
        .slice(0, limit)
        .map(({ id, size }) => ({ id, size }));
    },
    async fetch(pending) {
      return messages
        .filter((m) => pending.some((p) => p.id === m.id))
        .map((m) => (kind === 'graph' ? { ...m, sourceId: `AAMk-${m.id}` } : m));
    },
    async remove(ids) {
      removed.push(...ids);
    },
    watch() {},
    async check() {},
    async close() {},
  };
  return { source, removed };
}

async function freshQueue(): Promise<TypedQueue<'inbound'>> {
  const queue = createQueue('inbound', redis, `{pr${randomBytes(3).toString('hex')}}`);
  queues.push(queue);
  return queue;
}

async function queuedJobs(queue: TypedQueue<'inbound'>): Promise<InboundJob[]> {
  return (await queue.getJobs(['waiting', 'prioritized'])).map((job) => job.data);
}

describe.each(['imap', 'graph'] as const)('a %s message over 64 KiB', (kind) => {
  it('is stored once, as bytes, before its job names it; a small one stays inline', async () => {
    const inbound = await freshQueue();
    const prefix = inbound.opts.prefix ?? '';
    const small = message('small', 2_000);
    const edge = message('edge', RAW_INLINE_MAX_BYTES);
    const large = message('large', RAW_INLINE_MAX_BYTES + 1);
    const huge = message('huge', 3 * 1024 * 1024 + 5);
    const { source, removed } = memoryMailbox(kind, [small, edge, large, huge]);
    const store = await RawMessageStore.beside(inbound);
    // Every job that names bytes finds them in Redis when the jobs are queued.
    const addBulk = inbound.addBulk.bind(inbound);
    const spy = vi.spyOn(inbound, 'addBulk').mockImplementation(async (jobs) => {
      for (const { data } of jobs)
        if (data.rawRef) expect(await store.get(data.rawRef), data.rawRef).not.toBeNull();
      return addBulk(jobs);
    });

    expect(await syncBatch(source, inbound, { batchSize: 10, maxMessageBytes: 10_000_000 })).toBe(
      4,
    );
    expect(spy).toHaveBeenCalledTimes(1);
    expect(removed.sort()).toEqual(['edge', 'huge', 'large', 'small']);
    const bySubject = new Map<string, InboundJob>();
    for (const job of await queuedJobs(inbound)) {
      expect(inboundJobSchema.safeParse(job).success).toBe(true);
      const bytes = job.rawRef
        ? await store.get(job.rawRef)
        : Buffer.from(job.rawBase64!, 'base64');
      bySubject.set(/Subject: (\w+)/.exec(bytes!.toString('latin1'))![1]!, job);
    }
    expect(bySubject.size).toBe(4);
    for (const inline of [small, edge]) {
      const job = bySubject.get(inline.id)!;
      expect(job.rawRef).toBeUndefined();
      expect(Buffer.from(job.rawBase64!, 'base64').equals(inline.source)).toBe(true);
    }
    for (const stored of [large, huge]) {
      const job = bySubject.get(stored.id)!;
      expect(job.rawBase64).toBeUndefined();
      expect(job.rawRef).toBe(job.inboundId);
      expect(job.size).toBe(stored.source.length);
      expect((await store.get(job.rawRef!))?.equals(stored.source)).toBe(true);
      // keys carry the queue's prefix, and with it its {hash-tag}
      expect(await redis.exists(storeKeys(prefix).rawMessage(job.rawRef!))).toBe(1);
    }
    if (kind === 'graph')
      expect(new Set([...bySubject.values()].map((j) => j.sourceId)).size).toBe(4);
  });

  it('a failed store queues nothing and removes nothing', async () => {
    const inbound = await freshQueue();
    const { source, removed } = memoryMailbox(kind, [
      message('small', 500),
      message('big', 300_000),
    ]);
    const failing = new RawMessageStore(redis, inbound.opts.prefix ?? '');
    vi.spyOn(failing, 'put').mockRejectedValue(new Error('Redis went away'));
    await expect(
      syncBatch(source, inbound, {
        batchSize: 10,
        maxMessageBytes: 10_000_000,
        rawMessages: failing,
      }),
    ).rejects.toThrow(/Redis went away/);
    expect(await queuedJobs(inbound)).toEqual([]);
    expect(removed).toEqual([]);
  });
});
