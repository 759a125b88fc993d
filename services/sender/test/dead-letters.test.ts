import { randomBytes } from 'node:crypto';
import { JOB_IDS, type UpdateJob } from '@rc/contracts';
import { loadConfig, startHost, type Host } from '@rc/runtime';
import {
  createApiClient,
  sleep,
  startMailStack,
  startRedis,
  startWebhookReceiver,
  seedDecidedRequest,
  waitUntil,
  type ApiCall,
  type MailStack,
  type RedisServer,
  type WebhookReceiver,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestStore } from '@rc/store';
// The real task-updater tells the engine.
import { engineConfigSection, startTaskUpdater } from '@rc/task-updater';
import { startSender } from '../src/index';

/**
 * Dead letters over the API (SPEC 3.5) with the real sender and task-updater on real Redis, a
 * real SMTP server and the testkit's engine: an engine outage longer than the retry budget
 * dead-letters the update; once the engine is back a replay tells it exactly once more, with
 * the same Idempotency-Key.
 */

const API_TOKEN = 'dead-letter-test-token-0123456789';
const RETRY_ATTEMPTS = 2;

let redis: RedisServer;
let stack: MailStack;
let engine: WebhookReceiver;
let host: Host;
let api: ApiCall;
/** request ids whose engine calls fail with 500 (an outage for them alone) */
const down = new Set<string>();

beforeAll(async () => {
  [redis, stack, engine] = await Promise.all([
    startRedis(),
    startMailStack(),
    startWebhookReceiver(),
  ]);
  engine.respondWith((call) =>
    down.has((call.json as { requestId?: string }).requestId ?? '') ? 500 : 200,
  );
  const env = {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: `dl${randomBytes(4).toString('hex')}`,
    RC_SMTP_HOST: stack.smtp.host,
    RC_SMTP_PORT: String(stack.smtp.port),
    RC_SMTP_SECURITY: 'none',
    RC_MAILBOX_ADDRESS: 'approvals@rc.example',
    RC_SIGNING_KEYS: `k1:${'34'.repeat(24)}`,
    RC_API_TOKEN: API_TOKEN,
    RC_ENGINE: 'webhook',
    RC_WEBHOOK_URL: engine.url,
    RC_WEBHOOK_SECRET: 'dead-letter-webhook-secret',
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    RC_RETRY_ATTEMPTS: String(RETRY_ATTEMPTS),
    RC_RETRY_BASE_DELAY: '50ms',
  };
  host = await startHost(
    loadConfig(env, ['sender', 'task-updater'], [engineConfigSection()]),
    [(context) => startSender(context), startTaskUpdater],
    'dead-letters-test',
  );
  api = createApiClient(`http://127.0.0.1:${host.http.port}`, API_TOKEN);
});

afterAll(async () => {
  await host?.close();
  await Promise.allSettled([engine?.stop(), stack?.stop(), redis?.stop()]);
});

const deadLetterId = (requestId: string) => JOB_IDS.deadLetter('update', JOB_IDS.update(requestId));

function callsFor(requestId: string) {
  return engine.received.filter(
    (call) => (call.json as { requestId?: string }).requestId === requestId,
  );
}

async function enqueue(update: UpdateJob): Promise<void> {
  await host.context.queues.update.add('update', update, {
    jobId: JOB_IDS.update(update.requestId),
  });
}

/** The dead letter as the API lists it, once it is there (and, if given, once `ready` holds). */
async function listed(id: string, ready: (entry: any) => boolean = () => true): Promise<any> {
  return waitUntil(`dead letter ${id} listed`, async () => {
    const { json } = await api('GET', '/v1/dead-letters?limit=1000');
    const entry = json.items.find((item: { id: string }) => item.id === id);
    return entry && ready(entry) ? entry : undefined;
  });
}

async function updateJobState(requestId: string): Promise<string | undefined> {
  return (await host.context.queues.update.getJob(JOB_IDS.update(requestId)))?.getState();
}

describe('an update dead-lettered by an engine outage', () => {
  it('is replayed after the engine recovers: told exactly once more, with the same Idempotency-Key', async () => {
    const store = new RequestStore(host.context.redis, host.context.config.queuePrefix);
    const { update } = await seedDecidedRequest(store);
    const { requestId } = update;
    down.add(requestId);
    await enqueue(update);

    const first = await listed(deadLetterId(requestId));
    expect(first).toMatchObject({
      queue: 'update',
      jobId: JOB_IDS.update(requestId),
      name: 'update',
      code: 'ENGINE_UNAVAILABLE',
      attempts: RETRY_ATTEMPTS,
      requestId,
    });
    expect(first.replayedAt).toBeUndefined();
    expect(callsFor(requestId)).toHaveLength(RETRY_ATTEMPTS);

    // Replayed while the engine is still down: it fails again and its dead letter is written
    // anew (not hidden behind the replayed one), unmarked, with the new failure's time.
    const early = await api('POST', `/v1/dead-letters/${deadLetterId(requestId)}/replay`);
    expect(early.status).toBe(200);
    expect(early.json).toMatchObject({ queue: 'update', action: 'retried' });
    const again = await listed(
      deadLetterId(requestId),
      (entry) => entry.failedAt > first.failedAt && entry.replayedAt === undefined,
    );
    expect(again.code).toBe('ENGINE_UNAVAILABLE');
    expect(callsFor(requestId)).toHaveLength(2 * RETRY_ATTEMPTS);

    down.delete(requestId);
    const replay = await api('POST', `/v1/dead-letters/${deadLetterId(requestId)}/replay`);
    expect(replay.status).toBe(200);
    expect(replay.json).toMatchObject({
      id: deadLetterId(requestId),
      jobId: JOB_IDS.update(requestId),
      action: 'retried',
    });
    await waitUntil('the request to be completed', async () =>
      (await store.get(requestId))?.status === 'completed' ? true : undefined,
    );
    const calls = callsFor(requestId);
    expect(calls).toHaveLength(2 * RETRY_ATTEMPTS + 1);
    expect(new Set(calls.map((call) => call.headers['idempotency-key']))).toEqual(
      new Set([requestId]),
    );
    const marked = await listed(deadLetterId(requestId), (entry) => !!entry.replayedAt);
    expect(marked.replayedAt).toBe(replay.json.replayedAt);

    // A second replay is refused; forced, the update runs again and the task-updater sees it
    // applied: the engine is not told a second time.
    const second = await api('POST', `/v1/dead-letters/${deadLetterId(requestId)}/replay`);
    expect(second.status).toBe(409);
    expect(second.json.error).toBe('already_replayed');
    const forced = await api(
      'POST',
      `/v1/dead-letters/${deadLetterId(requestId)}/replay?force=true`,
    );
    expect(forced.status).toBe(200);
    expect(forced.json.action).toBe('retried');
    await waitUntil('the forced replay to complete', async () =>
      (await updateJobState(requestId)) === 'completed' ? true : undefined,
    );
    await sleep(200);
    expect(callsFor(requestId)).toHaveLength(2 * RETRY_ATTEMPTS + 1);
  });
});

describe('GET /v1/dead-letters and replay refusals', () => {
  it('refuses an invalid payload with 409 and its problems, filters by queue and code, newest first', async () => {
    const invalidId = `broken-${randomBytes(3).toString('hex')}`;
    // An older producer's job: no taskId, no actor. The worker dead-letters it unprocessed.
    await host.context.queues.update.add('update', { requestId: invalidId } as UpdateJob, {
      jobId: invalidId,
    });
    const broken = await listed(JOB_IDS.deadLetter('update', invalidId));
    expect(broken.code).toBe('PAYLOAD_INVALID');
    const refused = await api('POST', `/v1/dead-letters/${broken.id}/replay`);
    expect(refused.status).toBe(409);
    expect(refused.json.error).toBe('invalid');
    expect(refused.json.problems.join(' ')).toMatch(/taskId/);
    expect((await listed(broken.id)).replayedAt).toBeUndefined();

    const { update } = await seedDecidedRequest(
      new RequestStore(host.context.redis, host.context.config.queuePrefix),
    );
    down.add(update.requestId);
    await enqueue(update);
    const outage = await listed(deadLetterId(update.requestId));

    const byCode = await api('GET', '/v1/dead-letters?code=PAYLOAD_INVALID');
    expect(byCode.json.items.map((item: { id: string }) => item.id)).toContain(broken.id);
    expect(byCode.json.items.every((item: any) => item.code === 'PAYLOAD_INVALID')).toBe(true);
    const newest = await api('GET', '/v1/dead-letters?queue=update&limit=1');
    expect(newest.json.items).toEqual([outage]);
    const none = await api('GET', '/v1/dead-letters?queue=send');
    expect(none.json.items).toEqual([]);
  });

  it('answers 400 to a bad query, 404 to an unknown id and 401 without the token', async () => {
    for (const query of ['limit=0', 'limit=x', 'queue=dead-letter', 'code=NOPE']) {
      const answer = await api('GET', `/v1/dead-letters?${query}`);
      expect(answer.status, query).toBe(400);
      expect(answer.json.problems.length, query).toBeGreaterThan(0);
    }
    expect((await api('POST', '/v1/dead-letters/update-nothing/replay')).status).toBe(404);
    expect((await api('POST', '/v1/dead-letters/x/replay?force=maybe')).status).toBe(400);
    expect((await api('GET', '/v1/dead-letters', undefined, null)).status).toBe(401);
    expect((await api('POST', '/v1/dead-letters/x/replay', undefined, 'wrong')).status).toBe(401);
  });
});
