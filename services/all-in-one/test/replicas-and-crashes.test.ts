import type { TaskEvent } from '@rc/contracts';
import {
  createApiClient,
  findFreePort,
  openMailbox,
  sleep,
  startBackends,
  startPnpmScript,
  startProduct,
  SYSTEM_DEFAULTS,
  systemEnv,
  waitUntil,
  type Backends,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SERVICES, seedRequests } from '../src/index';

/**
 * The two promises a multi-replica deployment rests on, on real Redis, Dovecot and SMTP:
 * replicas racing over one backlog decide every request exactly once, and a process killed
 * with SIGKILL in the middle of a backlog loses no answer.
 */
let backends: Backends;

beforeAll(async () => {
  backends = await startBackends({ appendonly: true });
});
afterAll(async () => {
  await backends?.stop();
});

function eventsFor(prefix: string): TaskEvent[] {
  return backends.engine.received
    .map((hook) => hook.json as TaskEvent)
    .filter((event) => event.requestId.startsWith(`${prefix}-`));
}

async function mailboxCount(): Promise<number> {
  const mailbox = await openMailbox(backends.stack, SYSTEM_DEFAULTS.mailbox);
  try {
    return await mailbox.count();
  } finally {
    await mailbox.close();
  }
}

describe('replicas and crashes', () => {
  it('two complete replicas racing over one backlog decide each request exactly once', async () => {
    const env = systemEnv(
      { redisUrl: backends.redis.url, stack: backends.stack, webhookUrl: backends.engine.url },
      { RC_BATCH_SIZE: '20', RC_LOG_LEVEL: 'error' },
    );
    const requests = await seedRequests(env, 60, 'race');
    const mailbox = await openMailbox(backends.stack, env.RC_MAILBOX_ADDRESS);
    for (const request of requests) {
      const complete = request.answer('complete', 'Yes.\r\n');
      await mailbox.append(complete);
      await mailbox.append(complete); // the same bytes delivered twice: one message
      await mailbox.append(request.answer('fail', 'No, wait.\r\n')); // a second, conflicting answer
    }
    await mailbox.close();

    const [first, second] = await Promise.all([
      startProduct(ALL_SERVICES, env, 'replica-1'),
      startProduct(ALL_SERVICES, env, 'replica-2'),
    ]);
    try {
      await waitUntil(
        'every request decided',
        () => (new Set(eventsFor('race').map((e) => e.requestId)).size >= 60 ? true : undefined),
        60_000,
      );
      await waitUntil(
        'mailbox drained',
        async () => ((await mailboxCount()) === 0 ? true : undefined),
        30_000,
      );
      // let any straggling duplicate reach the engine before counting
      await sleep(1500);
      const events = eventsFor('race');
      expect(events).toHaveLength(60);
      expect(new Set(events.map((e) => e.requestId)).size).toBe(60);

      const counts = { accepted: 0, already_decided: 0, other: 0 };
      const api = createApiClient(`http://127.0.0.1:${first.http.port}`, env.RC_API_TOKEN);
      const { json } = await api('GET', '/v1/inbound?limit=1000');
      for (const item of (json as { items: { outcome: string; reason: string | null }[] }).items) {
        if (item.outcome === 'accepted') counts.accepted += 1;
        else if (item.reason === 'already_decided') counts.already_decided += 1;
        else counts.other += 1;
      }
      // the duplicate bytes are one inbound message; the conflicting answer loses
      expect(counts).toEqual({ accepted: 60, already_decided: 60, other: 0 });
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  }, 120_000);

  it('pnpm start killed with SIGKILL mid-backlog loses no answer; after a restart every request is decided', async () => {
    const port = await findFreePort();
    const env = {
      ...systemEnv(
        { redisUrl: backends.redis.url, stack: backends.stack, webhookUrl: backends.engine.url },
        { RC_BATCH_SIZE: '25', RC_LOG_LEVEL: 'error' },
      ),
      RC_HTTP_PORT: String(port),
    };
    const total = 300;
    const requests = await seedRequests(env, total, 'crash');
    const mailbox = await openMailbox(backends.stack, env.RC_MAILBOX_ADDRESS);
    for (const request of requests)
      await mailbox.append(request.answer('complete', `Approved ${request.requestId}.\r\n`));
    await mailbox.close();

    const firstRun = startPnpmScript('start', env);
    await waitUntil(
      'some answers applied',
      () => (eventsFor('crash').length >= 20 ? true : undefined),
      60_000,
      5,
    );
    await firstRun.kill();
    const beforeRestart = new Set(eventsFor('crash').map((e) => e.requestId)).size;
    expect(beforeRestart).toBeLessThan(total); // it really died mid-backlog

    const secondRun = startPnpmScript('start', env);
    try {
      await waitUntil(
        'every request decided',
        () =>
          new Set(eventsFor('crash').map((e) => e.requestId)).size >= total ? true : undefined,
        90_000,
      );
      await waitUntil(
        'mailbox drained',
        async () => ((await mailboxCount()) === 0 ? true : undefined),
        30_000,
      );
    } finally {
      await secondRun.stop();
    }
    const events = eventsFor('crash');
    console.log(
      `SIGKILL after ${beforeRestart}/${total} decided; calls re-sent after the restart: ${events.length - total}`,
    );
    expect(new Set(events.map((e) => e.requestId)).size).toBe(total);
    // A kill between the engine's 2xx and recording it re-sends that one call after the
    // restart: same request, same decision, same Idempotency-Key, which the engine dedupes.
    const byRequest = new Map<string, TaskEvent[]>();
    for (const event of events)
      byRequest.set(event.requestId, [...(byRequest.get(event.requestId) ?? []), event]);
    for (const [, calls] of byRequest)
      expect(
        new Set(calls.map((call) => `${call.event}|${call.comment}|${call.messageId}`)).size,
      ).toBe(1);
    expect(events.length - total).toBeLessThanOrEqual(40); // at most the calls in flight at the kill
  }, 240_000);
});
