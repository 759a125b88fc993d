import { randomBytes } from 'node:crypto';
import { JOB_IDS } from '@rc/contracts';
import { loadConfig, metrics, startHost, type Host } from '@rc/runtime';
import {
  countJobs,
  createApiClient,
  openMailbox,
  sleep,
  startMailStack,
  startRedis,
  type ApiResponse,
  type MailboxClient,
  type MailStack,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSender } from '../src/index';

/**
 * The sender's HTTP intake (SPEC 3.2, 3.5) on real Redis and a real SMTP server delivering to
 * Dovecot: what an engine that is not written in Node sees.
 */

const API_TOKEN = 'intake-test-token-0123456789';
const MAILBOX = 'approvals@rc.example';

let redis: RedisServer;
let stack: MailStack;
const hosts: Host[] = [];
const mailboxes: MailboxClient[] = [];
let main: Host;
let baseUrl: string;
let counter = 0;

function senderEnv(extra: Record<string, string> = {}) {
  return {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: `snd${randomBytes(4).toString('hex')}`,
    RC_SMTP_HOST: stack.smtp.host,
    RC_SMTP_PORT: String(stack.smtp.port),
    RC_SMTP_SECURITY: 'none',
    RC_MAILBOX_ADDRESS: MAILBOX,
    RC_SIGNING_KEYS: `k1:${'12'.repeat(24)}`,
    RC_API_TOKEN: API_TOKEN,
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    RC_RETRY_ATTEMPTS: '3',
    RC_RETRY_BASE_DELAY: '100ms',
    ...extra,
  };
}

async function startSenderHost(extra: Record<string, string> = {}): Promise<Host> {
  const host = await startHost(
    loadConfig(senderEnv(extra), ['sender']),
    [startSender],
    'sender-test',
  );
  hosts.push(host);
  return host;
}

beforeAll(async () => {
  [redis, stack] = await Promise.all([startRedis(), startMailStack()]);
  main = await startSenderHost();
  baseUrl = `http://127.0.0.1:${main.http.port}`;
});

afterAll(async () => {
  await Promise.allSettled(mailboxes.map((mailbox) => mailbox.close()));
  await Promise.allSettled(hosts.map((host) => host.close()));
  await Promise.allSettled([stack?.stop(), redis?.stop()]);
});

/** The testkit's API client, with this file's option style (another base for another host). */
function call(
  method: string,
  path: string,
  options: { body?: unknown; token?: string | null; base?: string } = {},
): Promise<ApiResponse> {
  const token = options.token === undefined ? API_TOKEN : options.token;
  return createApiClient(options.base ?? baseUrl, token)(method, path, options.body);
}

/** rc_completion_requests_total by channel, as /metrics reports it. */
async function requestsCounted(): Promise<{ http: number; queue: number }> {
  const { values } = await metrics.requestsCreated.get();
  const of = (channel: string) =>
    values.find((value) => value.labels.channel === channel)?.value ?? 0;
  return { http: of('http'), queue: of('queue') };
}

/** Every job the send queue holds, in any state. */
function sendJobs(host: Host = main): Promise<number> {
  return countJobs(host.context.queues.send);
}

function validRequest(extra: Record<string, unknown> = {}) {
  counter += 1;
  return {
    taskId: `Release1-Phase2-Task${counter}`,
    title: 'Approve production deploy',
    description: 'Shop 4.2 goes live.',
    release: { id: 'Release1', title: 'Shop 4.2' },
    assignees: [{ email: `alice${counter}@corp.example`, name: 'Alice' }],
    ...extra,
  };
}

async function inboxOf(address: string): Promise<MailboxClient> {
  const mailbox = await openMailbox(stack, address);
  mailboxes.push(mailbox);
  return mailbox;
}

describe('authentication', () => {
  it.each([
    ['no Authorization header', null],
    ['a wrong bearer token', 'wrong-token-0123456789abcdef'],
    ['the right token with a suffix', `${API_TOKEN}x`],
  ])('401 with %s, and nothing enqueued', async (_case, token) => {
    const before = await sendJobs();
    const response = await call('POST', '/v1/completion-requests', { body: validRequest(), token });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer');
    expect(response.json.problems).toEqual(expect.any(Array));
    expect((await call('GET', '/v1/inbound', { token })).status).toBe(401);
    expect(await sendJobs()).toBe(before);
  });
});

describe('POST /v1/completion-requests: invalid input', () => {
  it.each<[string, unknown, RegExp]>([
    ['junk JSON', '{not json', /JSON/],
    ['an empty body', '', /^taskId/],
    ['a JSON array', [validRequest()], /body|expected object/i],
    ['a missing taskId', { title: 'x', assignees: [{ email: 'a@corp.example' }] }, /^taskId/],
    ['no assignees', { taskId: 'T1', title: 'x', assignees: [] }, /^assignees/],
    [
      'a bad e-mail address',
      { taskId: 'T1', title: 'x', assignees: [{ email: 'alice at corp' }] },
      /^assignees\.0\.email/,
    ],
    [
      'an expiresAt in the past',
      {
        taskId: 'T1',
        title: 'x',
        assignees: [{ email: 'a@corp.example' }],
        expiresAt: '2020-01-01T00:00:00Z',
      },
      /^expiresAt/,
    ],
    [
      'a requestId with a slash',
      { taskId: 'T1', title: 'x', assignees: [{ email: 'a@corp.example' }], requestId: 'a/b' },
      /^requestId/,
    ],
  ])(
    '400 for %s, with the problem listed and nothing enqueued or stored',
    async (_case, body, problem) => {
      const before = await sendJobs();
      const requestId = `never-${randomBytes(4).toString('hex')}`;
      const withId =
        typeof body === 'object' && body !== null && !Array.isArray(body) && !('requestId' in body)
          ? { ...body, requestId }
          : body;
      const response = await call('POST', '/v1/completion-requests', { body: withId });
      expect(response.status).toBe(400);
      expect(response.json.problems).toEqual(
        expect.arrayContaining([expect.stringMatching(problem)]),
      );
      await sleep(50);
      expect(await sendJobs()).toBe(before);
      expect((await call('GET', `/v1/completion-requests/${requestId}`)).status).toBe(404);
    },
  );

  it('lists every problem of a request at once', async () => {
    const response = await call('POST', '/v1/completion-requests', {
      body: { title: '', assignees: [{ email: 'nope' }, { email: 'b@corp.example' }] },
    });
    expect(response.status).toBe(400);
    expect(response.json.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^taskId/),
        expect.stringMatching(/^title/),
        expect.stringMatching(/^assignees\.0\.email/),
      ]),
    );
  });
});

describe('POST, GET and DELETE /v1/completion-requests', () => {
  it('the same requestId twice: 202 twice, one job, one stored request, one email per assignee', async () => {
    const requestId = `dup-${randomBytes(4).toString('hex')}`;
    const first = validRequest({
      requestId,
      assignees: [
        { email: `bob${counter}@corp.example`, name: 'Bob' },
        { email: `carol${counter}@corp.example`, name: 'Carol' },
      ],
    });
    const inboxes = await Promise.all(first.assignees.map((assignee) => inboxOf(assignee.email)));
    const before = await sendJobs();

    const one = await call('POST', '/v1/completion-requests', { body: first });
    expect(one).toMatchObject({ status: 202, json: { requestId } });
    const two = await call('POST', '/v1/completion-requests', {
      body: { ...first, title: 'A different title' },
    });
    expect(two).toMatchObject({ status: 202, json: { requestId } });

    expect(await sendJobs()).toBe(before + 1);
    for (const inbox of inboxes) await inbox.waitForCount(1, 15_000);
    // A third POST after the emails went out must not send them again either.
    expect((await call('POST', '/v1/completion-requests', { body: first })).status).toBe(202);
    await sleep(1_500);
    for (const inbox of inboxes) expect(await inbox.count()).toBe(1);
    const [mail] = await inboxes[0]!.list();
    expect(mail!.source.toString()).toMatch(new RegExp(`^X-RC-Request-Id: ${requestId}`, 'im'));
    expect(await sendJobs()).toBe(before + 1);

    const state = await call('GET', `/v1/completion-requests/${requestId}`);
    expect(state.status).toBe(200);
    expect(state.json).toMatchObject({
      requestId,
      title: 'Approve production deploy',
      taskId: first.taskId,
      status: 'pending',
    });
    const types: string[] = state.json.events.map((event: { type: string }) => event.type);
    expect(types.filter((type) => type === 'requested')).toHaveLength(1);
    expect(types.filter((type) => type === 'email_sent')).toHaveLength(2);
  });

  it('queues the request as channel http under its deterministic job id, counted once', async () => {
    const requestId = `chan-${randomBytes(4).toString('hex')}`;
    const body = validRequest({ requestId });
    const inbox = await inboxOf(body.assignees[0]!.email);
    const before = await requestsCounted();
    expect((await call('POST', '/v1/completion-requests', { body })).status).toBe(202);
    expect((await call('POST', '/v1/completion-requests', { body })).status).toBe(202);
    const job = await main.context.queues.send.getJob(JOB_IDS.request(requestId));
    expect(job?.data).toMatchObject({ kind: 'request', channel: 'http' });
    // the worker, finding the request stored by the intake, counts it under no channel again
    await inbox.waitForCount(1, 15_000);
    expect(await requestsCounted()).toEqual({ http: before.http + 1, queue: before.queue });
  });

  it('without a requestId, the intake makes one', async () => {
    const response = await call('POST', '/v1/completion-requests', { body: validRequest() });
    expect(response.status).toBe(202);
    expect(response.json.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(
      (await call('GET', `/v1/completion-requests/${response.json.requestId}`)).json.status,
    ).toBe('pending');
  });

  it('GET of an unknown request is 404', async () => {
    expect((await call('GET', '/v1/completion-requests/no-such-request')).status).toBe(404);
  });

  it('DELETE cancels (200), again is still 200, and an unknown id is 404', async () => {
    const requestId = `cancel-${randomBytes(4).toString('hex')}`;
    expect(
      (await call('POST', '/v1/completion-requests', { body: validRequest({ requestId }) })).status,
    ).toBe(202);

    const cancel = await call('DELETE', `/v1/completion-requests/${requestId}`);
    expect(cancel).toMatchObject({ status: 200, json: { requestId, status: 'cancelled' } });
    const again = await call('DELETE', `/v1/completion-requests/${requestId}`);
    expect(again).toMatchObject({ status: 200, json: { requestId, status: 'cancelled' } });

    const state = await call('GET', `/v1/completion-requests/${requestId}`);
    expect(state.json.status).toBe('cancelled');
    expect(
      state.json.events.filter((event: { type: string }) => event.type === 'cancelled'),
    ).toHaveLength(1);

    expect((await call('DELETE', '/v1/completion-requests/no-such-request')).status).toBe(404);
  });
});

describe('GET /v1/inbound', () => {
  it('answers an empty list for a valid query', async () => {
    const response = await call('GET', '/v1/inbound?limit=5&outcome=rejected&reason=expired');
    expect(response).toMatchObject({ status: 200, json: { items: [] } });
  });

  it.each([
    ['limit=0', /^limit/],
    ['limit=1001', /^limit/],
    ['limit=ten', /^limit/],
    ['reason=bogus', /^reason/],
    ['outcome=maybe', /^outcome/],
  ])('400 for ?%s', async (query, problem) => {
    const response = await call('GET', `/v1/inbound?${query}`);
    expect(response.status).toBe(400);
    expect(response.json.problems).toEqual([expect.stringMatching(problem)]);
  });
});

describe('whitelist', () => {
  it('with RC_WHITELIST_ENABLED, an assignee outside RC_WHITELIST_DOMAINS is a 400 and nothing is enqueued', async () => {
    const host = await startSenderHost({
      RC_WHITELIST_ENABLED: 'true',
      RC_WHITELIST_DOMAINS: 'corp.example',
    });
    const base = `http://127.0.0.1:${host.http.port}`;
    const rejected = await call('POST', '/v1/completion-requests', {
      base,
      body: validRequest({
        assignees: [{ email: 'alice@corp.example' }, { email: 'mallory@evil.example' }],
      }),
    });
    expect(rejected.status).toBe(400);
    expect(rejected.json.problems).toEqual([
      expect.stringMatching(/^assignees\.1\.email: mallory@evil\.example/),
    ]);
    expect(await sendJobs(host)).toBe(0);

    const accepted = await call('POST', '/v1/completion-requests', {
      base,
      body: validRequest({ assignees: [{ email: 'alice@corp.example' }] }),
    });
    expect(accepted.status).toBe(202);
    expect(await sendJobs(host)).toBe(1);
  });
});

describe('operations endpoints', () => {
  it('/healthz is 200', async () => {
    const response = await fetch(`${baseUrl}/healthz`);
    expect(response.status).toBe(200);
  });

  it('/metrics shows queue depths and accepted requests', async () => {
    const response = await fetch(`${baseUrl}/metrics`);
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toMatch(/^rc_queue_jobs\{queue="send",state="completed"\} [1-9]\d*$/m);
    expect(text).toMatch(/^rc_completion_requests_total\{channel="http"\} [1-9]\d*$/m);
  });

  it('/readyz is 200 with redis and smtp checked, and 503 once the SMTP server is gone', async () => {
    const ready = await fetch(`${baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { checks: { name: string; ok: boolean }[] };
    expect(body.checks.map((check) => check.name).sort()).toEqual(['redis', 'smtp']);
    expect(body.checks.every((check) => check.ok)).toBe(true);

    await stack.stop();
    const notReady = await fetch(`${baseUrl}/readyz`);
    expect(notReady.status).toBe(503);
    const after = (await notReady.json()) as { checks: { name: string; ok: boolean }[] };
    expect(after.checks.find((check) => check.name === 'smtp')?.ok).toBe(false);
    expect(after.checks.find((check) => check.name === 'redis')?.ok).toBe(true);
  });
});
