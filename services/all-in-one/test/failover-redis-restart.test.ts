import {
  answerWithButton,
  createApiClient,
  openMailbox,
  readRequestEmail,
  sleep,
  startBackends,
  startProduct,
  systemEnv,
  waitUntil,
  type ApiCall,
  type Backends,
  type MailboxClient,
} from '@rc/testkit';
import type { Host } from '@rc/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SERVICES } from '../src/index';

/**
 * Redis restarts under the running product (the four services in one host, as `pnpm start`
 * runs them), with no manual step: /readyz says not ready while Redis is away and ready again
 * after; the workers and the poller resume; answers before, across and after are decided.
 */

let backends: Backends;
let host: Host;
let api: ApiCall;
let readyzUrl: string;
const inboxes: MailboxClient[] = [];

beforeAll(async () => {
  backends = await startBackends({ appendonly: true });
  const env = systemEnv(
    { redisUrl: backends.redis.url, stack: backends.stack, webhookUrl: backends.engine.url },
    { RC_SYNC_INTERVAL: '2s' },
  );
  host = await startProduct(ALL_SERVICES, env, 'failover');
  const baseUrl = `http://127.0.0.1:${host.http.port}`;
  api = createApiClient(baseUrl, env.RC_API_TOKEN);
  readyzUrl = `${baseUrl}/readyz`;
});
afterAll(async () => {
  await Promise.allSettled(inboxes.map((inbox) => inbox.close()));
  await host?.close();
  await backends?.stop();
});

let counter = 0;
async function requestFor(assignee: string) {
  counter += 1;
  const requestId = `redis-restart-${counter}-${Date.now()}`;
  const inbox = await openMailbox(backends.stack, assignee);
  inboxes.push(inbox);
  const response = await api('POST', '/v1/completion-requests', {
    taskId: `T-${requestId}`,
    title: `Approve ${counter}`,
    assignees: [{ email: assignee }],
    requestId,
  });
  expect(response.status).toBe(202);
  const raw = await inbox.waitFor((source) => source.toString('utf8').includes(requestId), 20_000);
  return { requestId, email: await readRequestEmail(raw) };
}

async function ready(): Promise<boolean> {
  const response = await fetch(readyzUrl).catch(() => undefined);
  return response?.status === 200;
}

describe('a Redis restart under the running product', () => {
  it('readiness falls and recovers on its own; answers before, across and after the restart reach the engine', async () => {
    const { engine, stack, redis } = backends;
    const before = await requestFor('before@corp.example');
    await answerWithButton(stack.smtp, 'before@corp.example', before.email.completeLink, 'ok\r\n');
    await engine.waitFor(1, 20_000);
    // Asked before the restart, answered after it: the request must survive in the AOF.
    const across = await requestFor('across@corp.example');
    await waitUntil('ready', async () => ((await ready()) ? true : undefined));

    // Readiness is watched throughout the restart.
    const seen: boolean[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        seen.push(await ready());
        await sleep(100);
      }
    })();
    const restartedAt = Date.now();
    await redis.restart({ downMs: 2_000 });
    const backAt = Date.now();
    await waitUntil('ready again', async () => ((await ready()) ? true : undefined), 30_000, 50);
    const recoveryMs = Date.now() - backAt;
    watching = false;
    await watcher;
    console.log(
      `Redis restart: down ${backAt - restartedAt} ms, /readyz true again ${recoveryMs} ms after Redis was back`,
    );
    expect(seen).toContain(false);
    expect(recoveryMs).toBeLessThan(15_000);

    await answerWithButton(stack.smtp, 'across@corp.example', across.email.failLink, 'no\r\n');
    const after = await requestFor('after@corp.example');
    await answerWithButton(stack.smtp, 'after@corp.example', after.email.completeLink, 'ok\r\n');
    const calls = await engine.waitFor(3, 30_000);
    const told = calls.map((call) => call.json as { requestId: string; event: string });
    expect(told.map((event) => [event.requestId, event.event]).sort()).toEqual(
      [
        [after.requestId, 'task.completed'],
        [across.requestId, 'task.failed'],
        [before.requestId, 'task.completed'],
      ].sort(),
    );
  }, 120_000);

  it('after a kill -9 of Redis (restarted from its append-only file) the product resumes on its own', async () => {
    const { engine, stack, redis } = backends;
    const calls = engine.received.length;
    const asked = await requestFor('killed@corp.example');
    await sleep(1_100); // appendfsync everysec: what is a second old is on disk
    await redis.restart({ kill: true, downMs: 1_000 });
    const backAt = Date.now();
    await waitUntil('ready again', async () => ((await ready()) ? true : undefined), 30_000, 50);
    console.log(`Redis kill -9: /readyz true again ${Date.now() - backAt} ms after Redis was back`);
    await answerWithButton(stack.smtp, 'killed@corp.example', asked.email.completeLink, 'ok\r\n');
    const [call] = (await engine.waitFor(calls + 1, 30_000)).slice(calls);
    expect(call?.json).toMatchObject({ requestId: asked.requestId, event: 'task.completed' });
  }, 120_000);
});
