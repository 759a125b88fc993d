import { createHmac, randomBytes } from 'node:crypto';
import {
  JOB_IDS,
  sendNoticeJobSchema,
  type AuditEvent,
  type DeadLetterJob,
  type SendNoticeJob,
  type TaskEvent,
  type UpdateJob,
} from '@rc/contracts';
import { loadConfig, startHost, type Host } from '@rc/runtime';
import type { RequestStore } from '@rc/store';
import {
  countJobs,
  findFreePort,
  startRedis,
  startWebhookReceiver,
  type ReceivedWebhook,
  type RedisServer,
  type WebhookReceiver,
  sleep,
  waitUntil,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineConfigSection, startTaskUpdater } from '../src/index';
import { decidedRequest } from './fixtures/decided-request';

/**
 * The task-updater on real Redis, telling a real HTTP server (the testkit's webhook receiver,
 * which also plays the Digital.ai Release REST API). Each case seeds a request whose decision
 * the verifier would have claimed, queues the update job the verifier would have queued, and
 * watches what the engine receives and what the store and the queues say afterwards.
 */

const WEBHOOK_SECRET = 'task-updater-webhook-secret';
const RELEASE_TOKEN = 'release-personal-token-0123456789';
const RETRY_ATTEMPTS = 3;
const RETRY_BASE_MS = 100;

let redis: RedisServer;
let engine: WebhookReceiver;
const hosts: Host[] = [];
/** What the fake engine answers, call by call, per request id (webhook) or path (Release). */
const scripts = new Map<string, number[]>();

beforeAll(async () => {
  [redis, engine] = await Promise.all([startRedis(), startWebhookReceiver()]);
  engine.respondWith((call) => {
    const key = (call.json as { requestId?: string } | undefined)?.requestId ?? call.path;
    return scripts.get(key)?.shift() ?? 200;
  });
});

afterAll(async () => {
  await Promise.allSettled(hosts.map((host) => host.close()));
  await Promise.allSettled([engine?.stop(), redis?.stop()]);
});

async function startUpdater(extra: Record<string, string> = {}): Promise<Host> {
  const env = {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: `tu${randomBytes(4).toString('hex')}`,
    RC_MAILBOX_ADDRESS: 'approvals@rc.example',
    RC_SIGNING_KEYS: `k1:${'cd'.repeat(24)}`,
    RC_ENGINE: 'webhook',
    RC_WEBHOOK_URL: engine.url,
    RC_WEBHOOK_SECRET: WEBHOOK_SECRET,
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    RC_RETRY_ATTEMPTS: String(RETRY_ATTEMPTS),
    RC_RETRY_BASE_DELAY: `${RETRY_BASE_MS}ms`,
    ...extra,
  };
  const host = await startHost(
    loadConfig(env, ['task-updater'], [engineConfigSection()]),
    [(context) => startTaskUpdater(context)],
    'task-updater-test',
  );
  hosts.push(host);
  return host;
}

async function enqueue(host: Host, update: UpdateJob): Promise<void> {
  await host.context.queues.update.add('update', update, {
    jobId: JOB_IDS.update(update.requestId),
  });
}

function callsFor(requestId: string): ReceivedWebhook[] {
  return engine.received.filter(
    (call) => (call.json as { requestId?: string } | undefined)?.requestId === requestId,
  );
}

function callsTo(path: string): ReceivedWebhook[] {
  return engine.received.filter((call) => call.path === path);
}

async function waitForStatus(
  store: RequestStore,
  requestId: string,
  status: string,
): Promise<void> {
  await waitUntil(`request ${requestId} to be ${status}`, async () =>
    (await store.get(requestId))?.status === status ? true : undefined,
  );
}

const deadLetterId = (requestId: string) => JOB_IDS.deadLetter('update', JOB_IDS.update(requestId));

async function deadLetterOf(host: Host, requestId: string): Promise<DeadLetterJob> {
  const job = await waitUntil(`dead letter for ${requestId}`, () =>
    host.context.queues.deadLetter.getJob(deadLetterId(requestId)),
  );
  return job.data;
}

async function eventTypes(store: RequestStore, requestId: string): Promise<AuditEvent['type'][]> {
  return (await store.events(requestId)).map((event) => event.type);
}

/** Verifies `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` the way an engine would. */
function verifySignature(header: unknown, rawBody: string): { valid: boolean; t: number } {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(header));
  if (!match?.[1] || !match[2]) return { valid: false, t: 0 };
  const expected = createHmac('sha256', WEBHOOK_SECRET)
    .update(`${match[1]}.${rawBody}`)
    .digest('hex');
  return { valid: expected === match[2], t: Number(match[1]) };
}

describe('webhook engine', () => {
  let host: Host;
  beforeAll(async () => {
    host = await startUpdater();
  });

  it('2xx: the engine gets a signed, idempotent task.completed event and the request becomes completed', async () => {
    const { store, update } = await decidedRequest(host);
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'completed');

    const calls = callsFor(update.requestId);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.method).toBe('POST');
    expect(call?.path).toBe('/hook');
    expect(call?.headers['content-type']).toMatch(/^application\/json/);
    expect(call?.headers['idempotency-key']).toBe(update.requestId);

    const signature = verifySignature(call?.headers['x-rc-signature'], call?.rawBody ?? '');
    expect(signature.valid).toBe(true);
    expect(Math.abs(signature.t - Date.now() / 1000)).toBeLessThan(30);
    // The signature covers the exact bytes: one changed byte must not verify.
    expect(
      verifySignature(
        call?.headers['x-rc-signature'],
        (call?.rawBody ?? '').replace('green', 'grEen'),
      ).valid,
    ).toBe(false);

    // SPEC 3.4, field for field and nothing else.
    expect(call?.json).toEqual({
      event: 'task.completed',
      requestId: update.requestId,
      taskId: update.taskId,
      actor: { email: 'alice@corp.example', name: 'Alice Example' },
      comment: 'Smoke tests are green, ship it.',
      respondedAt: update.respondedAt,
      messageId: update.messageId,
    });

    const record = await store.get(update.requestId);
    expect(record?.decision?.appliedAt).toBeDefined();
    const events = await store.events(update.requestId);
    const notified = events.find((event) => event.type === 'engine_notified');
    expect(notified).toMatchObject({ actor: 'alice@corp.example', inboundId: update.inboundId });
    expect(events.some((event) => event.type === 'engine_failed')).toBe(false);
    // RC_CONFIRMATION_NOTICES is off by default.
    expect(
      await host.context.queues.send.getJob(JOB_IDS.confirmationNotice(update.requestId)),
    ).toBeUndefined();
  });

  it('a fail decision is sent as task.failed and the request becomes failed', async () => {
    const { store, update } = await decidedRequest(host, { action: 'fail' });
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'failed');
    expect(callsFor(update.requestId).map((call) => (call.json as TaskEvent).event)).toEqual([
      'task.failed',
    ]);
  });

  it('500, 500, then 200: retried with exponential backoff and delivered once', async () => {
    const { store, update } = await decidedRequest(host);
    scripts.set(update.requestId, [500, 500]);
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'completed');
    await sleep(500); // a stray extra retry would show up here

    const calls = callsFor(update.requestId);
    expect(calls).toHaveLength(3);
    const [first, second, third] = calls.map((call) => call.receivedAt);
    // Backoff with 30 % jitter: ≥ 70 ms before the 2nd attempt, ≥ 140 ms before the 3rd.
    expect(second! - first!).toBeGreaterThanOrEqual(RETRY_BASE_MS * 0.65);
    expect(third! - second!).toBeGreaterThanOrEqual(RETRY_BASE_MS * 2 * 0.65);
    // Every attempt carries the same idempotency key, so the engine can dedupe a lost 2xx.
    expect(new Set(calls.map((call) => call.headers['idempotency-key']))).toEqual(
      new Set([update.requestId]),
    );

    const types = await eventTypes(store, update.requestId);
    expect(types.filter((type) => type === 'engine_failed')).toHaveLength(2);
    expect(types.filter((type) => type === 'engine_notified')).toHaveLength(1);
    expect(
      await host.context.queues.deadLetter.getJob(deadLetterId(update.requestId)),
    ).toBeUndefined();
  });

  it('400: a permanent failure, not retried, copied to dead-letter with the error', async () => {
    const { store, update } = await decidedRequest(host);
    scripts.set(update.requestId, [400, 200, 200]);
    await enqueue(host, update);

    const dead = await deadLetterOf(host, update.requestId);
    expect(dead).toMatchObject({
      queue: 'update',
      jobId: `update-${update.requestId}`,
      data: update,
    });
    expect(dead.error).toMatch(/400/);
    expect(dead.code).toBe('ENGINE_REJECTED');
    await sleep(600); // longer than the first two backoffs together: a retry would have come
    expect(callsFor(update.requestId)).toHaveLength(1);

    const job = await host.context.queues.update.getJob(JOB_IDS.update(update.requestId));
    expect(await job?.getState()).toBe('failed');
    const record = await store.get(update.requestId);
    expect(record?.status).toBe('deciding');
    expect(record?.decision?.appliedAt).toBeUndefined();
    const events = await store.events(update.requestId);
    expect(events.find((event) => event.type === 'engine_failed')?.detail).toMatch(/400/);
    expect(events.some((event) => event.type === 'engine_notified')).toBe(false);
  });

  it('409: already done elsewhere counts as done', async () => {
    const { store, update } = await decidedRequest(host);
    scripts.set(update.requestId, [409]);
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'completed');
    await sleep(400);
    expect(callsFor(update.requestId)).toHaveLength(1);
    expect(await eventTypes(store, update.requestId)).toContain('engine_notified');
    expect(
      await host.context.queues.deadLetter.getJob(deadLetterId(update.requestId)),
    ).toBeUndefined();
  });

  it('429 is "later", not "never": retried', async () => {
    const { store, update } = await decidedRequest(host);
    scripts.set(update.requestId, [429]);
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'completed');
    expect(callsFor(update.requestId)).toHaveLength(2);
  });

  it('an update for a request already applied does not call the engine again', async () => {
    const { store, update } = await decidedRequest(host);
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'completed');
    // A second job for the same request (e.g. re-queued by an operator from the dead letters).
    await host.context.queues.update.add('update', update, {
      jobId: `update-${update.requestId}-replay`,
    });
    const replay = await waitUntil('replayed job to finish', async () => {
      const job = await host.context.queues.update.getJob(`update-${update.requestId}-replay`);
      const state = await job?.getState();
      return state === 'completed' || state === 'failed' ? state : undefined;
    });
    expect(replay).toBe('completed');
    expect(callsFor(update.requestId)).toHaveLength(1);
  });

  it('an update whose request is gone is dead-lettered without calling the engine', async () => {
    const requestId = `req-gone-${Date.now()}`;
    const update: UpdateJob = {
      requestId,
      taskId: 'Release1-Phase2-Task9',
      action: 'complete',
      actor: { email: 'alice@corp.example', name: '' },
      comment: '',
      respondedAt: new Date().toISOString(),
      messageId: '<gone@corp.example>',
      inboundId: 'inbound-gone',
    };
    await enqueue(host, update);
    const dead = await deadLetterOf(host, requestId);
    expect(dead.error).toMatch(/no longer exists/);
    expect(dead.code).toBe('REQUEST_GONE');
    expect(callsFor(requestId)).toHaveLength(0);
  });
});

describe('webhook engine that cannot be reached', () => {
  it(`is retried ${RETRY_ATTEMPTS} times, then dead-lettered`, async () => {
    const closedPort = await findFreePort();
    const host = await startUpdater({ RC_WEBHOOK_URL: `http://127.0.0.1:${closedPort}/hook` });
    const { store, update } = await decidedRequest(host);
    await enqueue(host, update);

    const dead = await deadLetterOf(host, update.requestId);
    expect(dead.error).toMatch(/unreachable/);
    expect(dead.code).toBe('ENGINE_UNAVAILABLE');
    const job = await host.context.queues.update.getJob(JOB_IDS.update(update.requestId));
    expect(job?.attemptsMade).toBe(RETRY_ATTEMPTS);
    expect(await job?.getState()).toBe('failed');
    const types = await eventTypes(store, update.requestId);
    expect(types.filter((type) => type === 'engine_failed')).toHaveLength(RETRY_ATTEMPTS);
    expect((await store.get(update.requestId))?.status).toBe('deciding');
  });
});

describe('queue engine (RC_ENGINE=queue)', () => {
  it('puts one typed TaskEvent on the results queue and tells no HTTP endpoint', async () => {
    const host = await startUpdater({ RC_ENGINE: 'queue' });
    const before = engine.received.length;
    const { store, update } = await decidedRequest(host, { action: 'fail' });
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'failed');

    const result = await host.context.queues.results.getJob(JOB_IDS.result(update.requestId));
    expect(result?.name).toBe('task.failed');
    expect(result?.data).toEqual({
      event: 'task.failed',
      requestId: update.requestId,
      taskId: update.taskId,
      actor: update.actor,
      comment: update.comment,
      respondedAt: update.respondedAt,
      messageId: update.messageId,
    } satisfies TaskEvent);
    expect(await countJobs(host.context.queues.results)).toBe(1);
    expect(engine.received.length).toBe(before);
  });
});

describe('release engine (RC_ENGINE=release)', () => {
  const releaseUrl = () => engine.url.replace(/\/hook$/, '');
  const taskId = (n: number) => `Applications/Folder1/Release${n}/Phase2/Task3`;

  it('completes the task by its slash-separated id with HTTP Basic and a comment saying who, by email, and what', async () => {
    const host = await startUpdater({
      RC_ENGINE: 'release',
      RC_RELEASE_URL: releaseUrl(),
      RC_RELEASE_USER: 'rc-bot',
      RC_RELEASE_PASSWORD: 's3cret-pass',
    });
    const { store, update } = await decidedRequest(host, { taskId: taskId(101) });
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'completed');

    const calls = callsTo(`/api/v1/tasks/${taskId(101)}/complete`);
    expect(calls).toHaveLength(1);
    const [call] = calls;
    expect(call?.method).toBe('POST');
    expect(call?.headers.authorization).toBe(
      `Basic ${Buffer.from('rc-bot:s3cret-pass').toString('base64')}`,
    );
    expect(call?.headers['x-release-personal-token']).toBeUndefined();
    expect(Object.keys(call?.json as object)).toEqual(['comment']);
    const comment = (call?.json as { comment: string }).comment;
    expect(comment).toContain('Alice Example');
    expect(comment).toContain('alice@corp.example');
    expect(comment).toMatch(/by email/i);
    expect(comment).toContain('Smoke tests are green, ship it.');
  });

  it('fails the task with a personal token', async () => {
    const host = await startUpdater({
      RC_ENGINE: 'release',
      RC_RELEASE_URL: `${releaseUrl()}/`,
      RC_RELEASE_TOKEN: RELEASE_TOKEN,
    });
    const { store, update } = await decidedRequest(host, { taskId: taskId(102), action: 'fail' });
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'failed');

    const calls = callsTo(`/api/v1/tasks/${taskId(102)}/fail`);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.headers['x-release-personal-token']).toBe(RELEASE_TOKEN);
    expect(calls[0]?.headers.authorization).toBeUndefined();
    expect(callsTo(`/api/v1/tasks/${taskId(102)}/complete`)).toHaveLength(0);
  });

  it('a 404 from Release (no such task) is permanent: one call, dead-lettered', async () => {
    const host = await startUpdater({
      RC_ENGINE: 'release',
      RC_RELEASE_URL: releaseUrl(),
      RC_RELEASE_TOKEN: RELEASE_TOKEN,
    });
    const path = `/api/v1/tasks/${taskId(103)}/complete`;
    scripts.set(path, [404, 200, 200]);
    const { update } = await decidedRequest(host, { taskId: taskId(103) });
    await enqueue(host, update);
    const dead = await deadLetterOf(host, update.requestId);
    expect(dead.error).toMatch(/404/);
    expect(dead.code).toBe('ENGINE_REJECTED');
    await sleep(500);
    expect(callsTo(path)).toHaveLength(1);
  });
});

describe('confirmation notices (RC_CONFIRMATION_NOTICES=true)', () => {
  let host: Host;
  beforeAll(async () => {
    host = await startUpdater({ RC_CONFIRMATION_NOTICES: 'true' });
  });

  const confirmationJob = (requestId: string) =>
    host.context.queues.send.getJob(JOB_IDS.confirmationNotice(requestId));

  async function sendJobCount(): Promise<number> {
    return countJobs(host.context.queues.send);
  }

  it('queues the facts of the confirmation, in the request locale; the sender words them', async () => {
    const { store, request, update } = await decidedRequest(host, { locale: 'de' });
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'completed');

    const job = await waitUntil('confirmation job', () => confirmationJob(update.requestId));
    expect(job.name).toBe('notice');
    expect(job.data).toEqual({
      kind: 'notice',
      to: 'alice@corp.example',
      inReplyTo: update.messageId,
      notice: {
        type: 'confirmation',
        request: {
          requestId: request.requestId,
          taskId: request.taskId,
          title: 'Approve production deploy',
          expiresAt: request.expiresAt,
          locale: 'de',
        },
        action: 'complete',
        engineResult: 'done',
        comment: 'Smoke tests are green, ship it.',
      },
    } satisfies SendNoticeJob);
    // The send queue's own contract accepts it, and no finished sentence travels with it.
    expect(sendNoticeJobSchema.safeParse(job.data).success).toBe(true);
    expect(JSON.stringify(job.data)).not.toMatch(/Hello|was marked|release engine/);
  });

  it('409: the facts say the engine had already closed the task', async () => {
    const { store, update } = await decidedRequest(host, { action: 'fail' });
    scripts.set(update.requestId, [409]);
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'failed');
    const job = await waitUntil('confirmation job', () => confirmationJob(update.requestId));
    expect(job.data.kind === 'notice' && job.data.notice).toMatchObject({
      type: 'confirmation',
      action: 'fail',
      engineResult: 'already_done',
    });
  });

  it('one confirmation per request, however often the update runs', async () => {
    const { store, update } = await decidedRequest(host);
    scripts.set(update.requestId, [500]);
    await enqueue(host, update);
    await waitForStatus(store, update.requestId, 'completed');
    const before = await sendJobCount();
    await host.context.queues.update.add('update', update, {
      jobId: `${JOB_IDS.update(update.requestId)}-replay`,
    });
    await waitUntil('replayed job to finish', async () => {
      const job = await host.context.queues.update.getJob(
        `${JOB_IDS.update(update.requestId)}-replay`,
      );
      return (await job?.getState()) === 'completed' ? true : undefined;
    });
    expect(await sendJobCount()).toBe(before);
    expect(await confirmationJob(update.requestId)).toBeDefined();
  });

  it('no confirmation when the engine refused the decision', async () => {
    const { update } = await decidedRequest(host);
    scripts.set(update.requestId, [400]);
    await enqueue(host, update);
    await deadLetterOf(host, update.requestId);
    expect(await confirmationJob(update.requestId)).toBeUndefined();
  });
});
