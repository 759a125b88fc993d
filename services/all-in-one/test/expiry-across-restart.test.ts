import type { Host } from '@rc/runtime';
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
  type Backends,
  type MailboxClient,
} from '@rc/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ALL_SERVICES } from '../src/index';

let backends: Backends;
let env: Record<string, string>;
const hosts: Host[] = [];
const mailboxes: MailboxClient[] = [];

beforeAll(async () => {
  backends = await startBackends();
  env = systemEnv({
    redisUrl: backends.redis.url,
    stack: backends.stack,
    webhookUrl: backends.engine.url,
  });
});
afterAll(async () => {
  await Promise.allSettled(mailboxes.map((mailbox) => mailbox.close()));
  await Promise.allSettled(hosts.map((host) => host.close()));
  await backends?.stop();
});

async function startReplica(name: string) {
  const host = await startProduct(ALL_SERVICES, env, name);
  hosts.push(host);
  return { host, api: createApiClient(`http://127.0.0.1:${host.http.port}`, env.RC_API_TOKEN!) };
}

async function requestEmail(address: string, requestId: string) {
  const inbox = await openMailbox(backends.stack, address);
  mailboxes.push(inbox);
  const raw = await inbox.waitFor(
    (source) => source.toString('latin1').toLowerCase().includes(`x-rc-request-id: ${requestId}`),
    15_000,
  );
  return readRequestEmail(raw);
}

const hooksFor = (requestId: string) =>
  backends.engine.received.filter(
    (hook) => (hook.json as { requestId?: string }).requestId === requestId,
  );

it('onExpire "fail" tells the engine once, as system, across a restart and with two replicas; never after a real answer', async () => {
  const first = await startReplica('before-restart');
  const expiresAt = new Date(Date.now() + 8_000).toISOString();
  const stamp = Date.now();
  const unanswered = `expire-unanswered-${stamp}`;
  const answered = `expire-answered-${stamp}`;
  for (const requestId of [unanswered, answered]) {
    const response = await first.api('POST', '/v1/completion-requests', {
      taskId: `Release9/${requestId}`,
      title: `Deploy ${requestId}`,
      assignees: [{ email: 'olga@corp.example' }],
      requestId,
      expiresAt,
      onExpire: 'fail',
    });
    expect(response.status).toBe(202);
  }
  await requestEmail('olga@corp.example', unanswered);
  const email = await requestEmail('olga@corp.example', answered);
  await answerWithButton(backends.stack.smtp, 'olga@corp.example', email.completeLink, 'go\r\n');
  await waitUntil('the real answer reached the engine', async () =>
    hooksFor(answered).length === 1 ? true : undefined,
  );

  // The whole product stops before the requests expire, and is down when they do.
  await first.host.close();
  const left = Date.parse(expiresAt) - Date.now();
  expect(left, 'the machine was too slow to stop before expiry').toBeGreaterThan(0);
  await sleep(left + 500);

  const [second] = await Promise.all([startReplica('replica-a'), startReplica('replica-b')]);
  await waitUntil(
    'the expiry reached the engine',
    async () => (hooksFor(unanswered).length > 0 ? true : undefined),
    20_000,
  );
  await sleep(2_000);
  const told = hooksFor(unanswered);
  expect(told).toHaveLength(1);
  expect(told[0]?.json).toMatchObject({
    event: 'task.failed',
    requestId: unanswered,
    actor: { email: 'system', name: 'system' },
    respondedAt: expiresAt,
    comment: expect.stringMatching(/^Expired at .* without an answer; onExpire: fail\.$/),
  });
  expect(hooksFor(answered).map((hook) => (hook.json as { event: string }).event)).toEqual([
    'task.completed',
  ]);

  const { json } = await second!.api('GET', `/v1/completion-requests/${unanswered}`);
  expect(json.status).toBe('failed');
  expect(json.decision).toMatchObject({ action: 'fail', actor: 'system' });
  expect(json.events.filter((event: { type: string }) => event.type === 'expired')).toHaveLength(1);
  const late = await second!.api('GET', `/v1/completion-requests/${answered}`);
  expect(late.json.status).toBe('completed');
  expect(late.json.events.map((event: { type: string }) => event.type)).not.toContain('expired');
});
