import { createRedis, type Redis } from '@rc/runtime';
import { startRedis, type RedisServer } from '@rc/testkit';
import type { InboundRecord } from '@rc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundLog, RequestStore, storedRequestFromJob, type StoredRequest } from '../src/index';

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
  return `st${prefixCounter}`;
}

function request(id: string, expiresInMs = 86_400_000): StoredRequest {
  return storedRequestFromJob(
    {
      kind: 'request',
      request: {
        requestId: id,
        taskId: `T-${id}`,
        title: 'Deploy',
        assignees: [
          { email: 'Alice@Corp.example' },
          { email: 'alice@corp.example' },
          { email: 'bob@corp.example' },
        ],
      },
      requestedAt: new Date().toISOString(),
    },
    expiresInMs,
  );
}

const decision = (inboundId: string, action: 'complete' | 'fail' = 'complete') => ({
  action,
  actor: 'alice@corp.example',
  inboundId,
  decidedAt: new Date().toISOString(),
});

describe('RequestStore', () => {
  it('keeps the first request for a requestId and lower-cases and dedupes assignees', async () => {
    const store = new RequestStore(redis, freshPrefix());
    const first = request('r1');
    expect(first.assignees.map((a) => a.email)).toEqual(['alice@corp.example', 'bob@corp.example']);
    expect(await store.create(first)).toBe('created');
    expect(await store.create({ ...first, title: 'Changed' })).toBe('exists');
    expect((await store.get('r1'))?.title).toBe('Deploy');
    expect((await store.events('r1')).map((event) => event.type)).toEqual(['requested']);
  });

  it('lets the first answer win, recognises its own retry, and refuses a second answer', async () => {
    const store = new RequestStore(redis, freshPrefix());
    const stored = request('r2');
    await store.create(stored);
    expect(await store.claimDecision(stored, decision('in-1'))).toMatchObject({
      result: 'claimed',
      decision: { inboundId: 'in-1' },
    });
    expect(await store.claimDecision(stored, decision('in-1'))).toMatchObject({
      result: 'claimed',
    });
    expect(await store.claimDecision(stored, decision('in-2', 'fail'))).toMatchObject({
      result: 'already_decided',
      decision: { inboundId: 'in-1', action: 'complete' },
    });
    expect((await store.get('r2'))?.status).toBe('deciding');
    await store.markApplied(stored, new Date().toISOString());
    expect((await store.get('r2'))?.status).toBe('completed');
    expect(await store.cancel('r2', new Date().toISOString())).toBe('already_decided');
  });

  it('decides exactly once when many answers race', async () => {
    const store = new RequestStore(redis, freshPrefix());
    const stored = request('r3');
    await store.create(stored);
    const results = await Promise.all(
      Array.from({ length: 50 }, (_, i) => store.claimDecision(stored, decision(`race-${i}`))),
    );
    expect(results.filter((result) => result.result === 'claimed')).toHaveLength(1);
    expect(results.filter((result) => result.result === 'already_decided')).toHaveLength(49);
  });

  it('cancel revokes at once; a cancelled request cannot be claimed; unknown ids are reported', async () => {
    const store = new RequestStore(redis, freshPrefix());
    const stored = request('r4');
    await store.create(stored);
    expect(await store.cancel('r4', '2026-01-01T00:00:00.000Z')).toBe('cancelled');
    expect(await store.cancel('r4', '2026-01-01T00:00:01.000Z')).toBe('already_cancelled');
    expect(await store.claimDecision(stored, decision('in-9'))).toEqual({ result: 'cancelled' });
    expect(await store.get('r4')).toMatchObject({
      status: 'cancelled',
      cancelledAt: '2026-01-01T00:00:00.000Z',
    });
    expect(await store.cancel('nope', new Date().toISOString())).toBe('not_found');
    expect(await store.claimDecision(request('never-created'), decision('x'))).toEqual({
      result: 'unknown_request',
    });
  });

  it('reads a request and where it stands in one state: pending, deciding, applied, cancelled', async () => {
    const store = new RequestStore(redis, freshPrefix());
    const stored = request('r6');
    expect(await store.getState('r6')).toBeNull();
    await store.create(stored);
    expect(await store.getState('r6')).toEqual({ request: stored, status: 'pending' });
    const held = decision('in-6', 'fail');
    await store.claimDecision(stored, held);
    expect(await store.getState('r6')).toEqual({
      request: stored,
      status: 'deciding',
      decision: held,
    });
    await store.markApplied(stored, '2026-01-01T00:00:00.000Z');
    expect(await store.getState('r6')).toMatchObject({
      status: 'failed',
      decision: { appliedAt: '2026-01-01T00:00:00.000Z' },
    });

    const other = request('r7');
    await store.create(other);
    await store.cancel('r7', '2026-01-02T00:00:00.000Z');
    expect(await store.getState('r7')).toEqual({
      request: other,
      status: 'cancelled',
      cancelledAt: '2026-01-02T00:00:00.000Z',
    });
    // get is the same state, flattened for the API
    expect(await store.get('r7')).toEqual({
      ...other,
      status: 'cancelled',
      cancelledAt: '2026-01-02T00:00:00.000Z',
    });
  });

  it('gives one answer ref per (request, recipient) and resolves it', async () => {
    const prefix = freshPrefix();
    const store = new RequestStore(redis, prefix);
    const stored = request('r5');
    await store.create(stored);
    let n = 0;
    const newRef = () => `ref${(n += 1)}aaaaaaaa`.slice(0, 12);
    const alice = await store.answerRefFor(stored, 'alice@corp.example', newRef);
    expect(await store.answerRefFor(stored, 'alice@corp.example', newRef)).toBe(alice);
    const bob = await store.answerRefFor(stored, 'bob@corp.example', newRef);
    expect(bob).not.toBe(alice);
    expect(await store.resolveRef(alice)).toEqual({
      requestId: 'r5',
      recipient: 'alice@corp.example',
    });
    expect(await store.resolveRef('unknownref00')).toBeNull();
    // kept past the request's expiry, so a late answer still gets a precise reason
    expect(await redis.pttl(`${prefix}:ref:${alice}`)).toBeGreaterThan(86_400_000);
  });
});

function record(inboundId: string, overrides: Partial<InboundRecord> = {}): InboundRecord {
  return {
    inboundId,
    outcome: 'rejected',
    reason: 'no_token',
    from: 'alice@corp.example',
    subject: 'hello',
    messageId: `<${inboundId}@x>`,
    requestId: null,
    taskId: null,
    receivedAt: new Date().toISOString(),
    decidedAt: new Date().toISOString(),
    ...overrides,
  };
}

describe('InboundLog', () => {
  it('records one outcome per message, newest first, with filters', async () => {
    const log = new InboundLog(redis, freshPrefix());
    expect(
      await log.record(record('a', { outcome: 'accepted', reason: null, requestId: 'r1' })),
    ).toBe(true);
    expect(await log.record(record('a', { reason: 'malformed' }))).toBe(false);
    await log.record(record('b', { reason: 'expired', requestId: 'r1' }));
    await log.record(record('c', { reason: 'expired', from: 'bob@corp.example' }));
    expect(await log.outcomeOf('a')).toBe('accepted');
    expect(await log.recordOf('a')).toMatchObject({ inboundId: 'a', outcome: 'accepted' });
    expect(await log.recordOf('never')).toBeNull();
    expect((await log.query({ limit: 10 })).map((item) => item.inboundId)).toEqual(['c', 'b', 'a']);
    expect(
      (await log.query({ limit: 10, reason: 'expired' })).map((item) => item.inboundId),
    ).toEqual(['c', 'b']);
    expect((await log.query({ limit: 10, requestId: 'r1' })).map((item) => item.inboundId)).toEqual(
      ['b', 'a'],
    );
    expect(
      (await log.query({ limit: 10, outcome: 'accepted' })).map((item) => item.inboundId),
    ).toEqual(['a']);
    expect(
      (await log.query({ limit: 10, from: 'BOB@corp.example' })).map((item) => item.inboundId),
    ).toEqual(['c']);
    expect(await log.query({ limit: 1 })).toHaveLength(1);
  });

  it('retains by count and by age', async () => {
    const prefix = freshPrefix();
    const byCount = new InboundLog(redis, prefix, { maxEntries: 100, maxAgeMs: 86_400_000 });
    for (let i = 0; i < 1000; i++) await byCount.record(record(`n${i}`));
    // MAXLEN ~ trims whole stream nodes: at most one node (100 entries) over the limit stays
    expect(await redis.xlen(`${prefix}:inbound:log`)).toBeLessThanOrEqual(200);
    expect((await byCount.query({ limit: 1000 }))[0]?.inboundId).toBe('n999');

    const byAge = new InboundLog(redis, freshPrefix(), { maxEntries: 100_000, maxAgeMs: 300 });
    await byAge.record(record('old'));
    await new Promise((resolve) => setTimeout(resolve, 400));
    await byAge.record(record('new'));
    expect((await byAge.query({ limit: 10 })).map((item) => item.inboundId)).toEqual(['new']);
  });
});
