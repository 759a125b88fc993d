import type { AuditEvent, InboundRecord } from '@rc/contracts';
import { createRedis, type Redis } from '@rc/runtime';
import { startRedis, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundLog, RequestStore, storedRequestFromJob, storeKeys } from '../src/index';
import { RETENTION_AFTER_EXPIRY_MS } from '../src/retention';

/**
 * Audit events written in the same script as the step they describe (one round trip each):
 * the inbound record with its answer event, appliedAt with engine_notified, and addEvent
 * itself without MULTI.
 */

let server: RedisServer;
let redis: Redis;
let counter = 0;
beforeAll(async () => {
  server = await startRedis();
  redis = createRedis(server.url, 'client');
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

function fresh() {
  counter += 1;
  const prefix = `audit${counter}`;
  const stored = storedRequestFromJob(
    {
      kind: 'request',
      request: {
        requestId: 'r1',
        taskId: 'T-1',
        title: 'Deploy',
        assignees: [{ email: 'alice@corp.example' }],
      },
      requestedAt: new Date().toISOString(),
    },
    86_400_000,
  );
  return { prefix, stored, keys: storeKeys(prefix), store: new RequestStore(redis, prefix) };
}

const event = (type: AuditEvent['type'], inboundId?: string): AuditEvent => ({
  at: new Date().toISOString(),
  type,
  detail: 'complete',
  ...(inboundId ? { inboundId } : {}),
});

const entry = (inboundId: string): InboundRecord => ({
  inboundId,
  outcome: 'accepted',
  reason: null,
  from: 'alice@corp.example',
  subject: 'Re: Deploy',
  messageId: `<${inboundId}@x>`,
  requestId: 'r1',
  taskId: 'T-1',
  action: 'complete',
  receivedAt: new Date().toISOString(),
  decidedAt: new Date().toISOString(),
});

/** the events key expires with the request's other keys */
async function expectsRetention(keys: ReturnType<typeof storeKeys>, expiresAt: string) {
  const at = await redis.pexpiretime(keys.events('r1'));
  expect(at).toBe(Date.parse(expiresAt) + RETENTION_AFTER_EXPIRY_MS);
}

describe('audit events in one step', () => {
  it('addEvent appends and keeps the events as long as the request', async () => {
    const { store, stored, keys } = fresh();
    await store.addEvent(stored, event('requested'));
    await store.addEvent(stored, event('reminder_sent'));
    expect((await store.events('r1')).map((e) => e.type)).toEqual(['requested', 'reminder_sent']);
    await expectsRetention(keys, stored.expiresAt);
  });

  it("an inbound record carries its request's event, written only with the first record", async () => {
    const { prefix, stored, keys, store } = fresh();
    const log = new InboundLog(redis, prefix);
    const audit = { request: stored, event: event('answer_accepted', 'in-1') };
    expect(await log.record(entry('in-1'), audit)).toBe(true);
    // a retry after a crash: neither the record nor the event twice
    expect(await log.record(entry('in-1'), audit)).toBe(false);
    expect(await store.events('r1')).toEqual([audit.event]);
    await expectsRetention(keys, stored.expiresAt);
    // without a request (a message that named none) only the record
    expect(await log.record({ ...entry('in-2'), requestId: null })).toBe(true);
    expect(await store.events('r1')).toHaveLength(1);
    expect(await log.recordOf('in-2')).toMatchObject({ inboundId: 'in-2' });
  });

  it('markApplied writes appliedAt and its event once; a second call changes nothing', async () => {
    const { stored, keys, store } = fresh();
    await store.create(stored);
    const decision = {
      action: 'complete' as const,
      actor: 'alice@corp.example',
      inboundId: 'in-1',
      decidedAt: '2026-01-01T00:00:00.000Z',
    };
    await store.claimDecision(stored, decision);
    const told = event('engine_notified', 'in-1');
    await store.markApplied(stored, '2026-01-01T00:00:01.000Z', told);
    await store.markApplied(stored, '2026-01-01T00:00:09.000Z', told);
    const state = await store.getState('r1');
    expect(state?.decision).toEqual({ ...decision, appliedAt: '2026-01-01T00:00:01.000Z' });
    expect(state?.status).toBe('completed');
    expect((await store.events('r1')).map((e) => e.type)).toEqual(['requested', 'engine_notified']);
    await expectsRetention(keys, stored.expiresAt);
    // the decision keeps its expiry
    expect(await redis.pexpiretime(keys.decision('r1'))).toBe(
      Date.parse(stored.expiresAt) + RETENTION_AFTER_EXPIRY_MS,
    );
  });

  it('markApplied without a decision throws and writes no event', async () => {
    const { stored, store } = fresh();
    await store.create(stored);
    await expect(
      store.markApplied(stored, new Date().toISOString(), event('engine_notified')),
    ).rejects.toThrow(/no decision recorded for request r1/);
    expect((await store.events('r1')).map((e) => e.type)).toEqual(['requested']);
  });
});
