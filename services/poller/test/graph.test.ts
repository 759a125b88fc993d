import { randomBytes } from 'node:crypto';
import type { InboundJob } from '@rc/contracts';
import { loadConfig, startHost, type Config, type Host, type Logger } from '@rc/runtime';
import {
  countJobs,
  findFreePort,
  sleep,
  startMicrosoftFake,
  startRedis,
  waitUntil,
  type MicrosoftFake,
  type RedisServer,
} from '@rc/testkit';
import { Queue } from 'bullmq';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGraphSource } from '../src/adapters/graph';
import { startPoller, type PollerOptions } from '../src/index';
import { inlineRaw } from './inline-raw';

/**
 * The Graph mailbox source against the testkit's Entra ID + Graph fake (HTTPS, its CA trusted
 * through RC_TLS_CA_FILE) and a real Redis. Every case has its own mailbox and queue prefix.
 */

let redis: RedisServer;
let ms: MicrosoftFake;
const clientId = crypto.randomUUID();
const secret = `s3cr3t-${randomBytes(12).toString('hex')}`;
/** closed after each test, so no earlier poller keeps calling the fake */
const cleanups: (() => Promise<unknown>)[] = [];
let counter = 0;

beforeAll(async () => {
  [redis, ms] = await Promise.all([startRedis(), startMicrosoftFake()]);
  ms.registerApp({ clientId, secret });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

afterAll(async () => {
  await Promise.allSettled([ms?.close(), redis?.stop()]);
});

function rawMessage(n: number, body = `Approve. Message number ${n}.`): string {
  return [
    'From: Alice Example <alice@corp.example>',
    'To: approvals@contoso.test',
    `Subject: answer ${n}`,
    `Message-ID: <answer-${n}-${randomBytes(4).toString('hex')}@corp.example>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

const QUIET = { pollIntervalMs: 100 };

interface GraphHarness {
  user: string;
  prefix: string;
  inbound: Queue;
  /** notifications reach the poller at `notificationUrl` (plain HTTP: the fake allows it) */
  start(
    extra?: Record<string, string>,
    options?: PollerOptions & { notify?: boolean },
  ): Promise<Host & { notificationUrl: string }>;
  config(extra?: Record<string, string>): Config;
  jobs(): Promise<InboundJob[]>;
  queued(): Promise<number>;
}

async function harness(): Promise<GraphHarness> {
  counter += 1;
  const user = `rc${counter}-${randomBytes(3).toString('hex')}@contoso.test`;
  ms.mailbox(user);
  const prefix = `graph${randomBytes(4).toString('hex')}`;
  const inbound = new Queue('inbound', {
    connection: { host: '127.0.0.1', port: redis.port },
    prefix,
  });
  cleanups.push(() => inbound.close());
  const config = (extra: Record<string, string> = {}) =>
    loadConfig(
      {
        RC_REDIS_URL: redis.url,
        RC_QUEUE_PREFIX: prefix,
        RC_MAILBOX_SOURCE: 'graph',
        RC_MAILBOX_ADDRESS: user,
        RC_GRAPH_TENANT_ID: ms.tenantId,
        RC_GRAPH_CLIENT_ID: clientId,
        RC_GRAPH_CLIENT_SECRET: secret,
        RC_GRAPH_BASE_URL: ms.graphBaseUrl,
        RC_GRAPH_AUTHORITY_HOST: ms.authorityHost,
        RC_TLS_CA_FILE: ms.caFile,
        RC_SIGNING_KEYS: `k1:${'ef'.repeat(24)}`,
        RC_STARTUP_DELAY: '0s',
        RC_SYNC_INTERVAL: '60s',
        RC_HTTP_PORT: '0',
        RC_LOG_LEVEL: 'silent',
        ...extra,
      },
      ['poller'],
    );
  return {
    user,
    prefix,
    inbound,
    config,
    async start(extra = {}, { notify = false, ...options } = {}) {
      const settings = config(extra);
      let notificationUrl = '';
      if (notify) {
        // The config accepts only https (production sits behind a TLS proxy); the fake posts
        // to plain http so the test needs no certificate on the poller's port.
        settings.httpPort = await findFreePort();
        notificationUrl = `http://127.0.0.1:${settings.httpPort}/v1/graph/notifications`;
        settings.graph = { ...settings.graph!, notificationUrl };
      }
      const host = await startHost(
        settings,
        [(context) => startPoller(context, { ...options, graph: { ...QUIET, ...options.graph } })],
        'poller-graph-test',
      );
      cleanups.push(() => host.close());
      return Object.assign(host, { notificationUrl });
    },
    async jobs() {
      return (await inbound.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed'])).map(
        (job) => job.data as InboundJob,
      );
    },
    queued: () => countJobs(inbound),
  };
}

/** Graph requests for one mailbox (or for subscriptions) since `index` */
function requestsSince(index: number, method: string, path: RegExp) {
  return ms.stats.graph.requests
    .slice(index)
    .filter((r) => r.method === method && path.test(decodeURIComponent(r.path)));
}

function escaped(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

async function metricValue(port: number, line: RegExp): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const match = text.split('\n').find((l) => line.test(l));
  return match ? Number(match.split(' ').pop()) : 0;
}

describe('Graph mailbox source', () => {
  it('reads oldest first across several pages, queues the exact $value bytes with arrival time and immutable id, then deletes', async () => {
    const h = await harness();
    const base = Date.now() - 3_600_000;
    const put = Array.from({ length: 25 }, (_, n) =>
      ms.mailbox(h.user).put(rawMessage(n), new Date(base + n * 60_000)),
    );
    const before = ms.stats.graph.requests.length;
    await h.start({ RC_BATCH_SIZE: '20' }, { graph: { pageSize: 7 } });
    await waitUntil('25 queued', async () => ((await h.queued()) === 25 ? true : undefined));
    await waitUntil('inbox empty', () =>
      ms.mailbox(h.user).list().length === 0 ? true : undefined,
    );

    const jobs = await h.jobs();
    for (const message of put) {
      const job = jobs.find((j) => j.sourceId === message.immutableId);
      expect(job, message.immutableId).toBeDefined();
      expect(inlineRaw(job!).equals(message.raw)).toBe(true);
      expect(job!.arrivedAt).toBe(new Date(message.receivedDateTime).toISOString());
      expect(job!.source).toBe('graph');
    }
    // 20 of 25 in the first batch at 7 per page: three pages, the third cut short.
    const lists = requestsSince(
      before,
      'GET',
      new RegExp(`${escaped(h.user)}/mailFolders/inbox/messages$`),
    );
    expect(lists.length).toBeGreaterThanOrEqual(4);
    expect(ms.mailbox(h.user).list('deleteditems')).toHaveLength(25);
  });

  it('RC_AFTER_PROCESSING=move:Processed creates the folder once and moves every message into it', async () => {
    const h = await harness();
    const before = ms.stats.graph.requests.length;
    for (let n = 0; n < 3; n++) ms.mailbox(h.user).put(rawMessage(n));
    await h.start({ RC_AFTER_PROCESSING: 'move:Processed' });
    await waitUntil('3 queued', async () => ((await h.queued()) === 3 ? true : undefined));
    for (let n = 3; n < 5; n++) ms.mailbox(h.user).put(rawMessage(n));
    await waitUntil('5 queued', async () => ((await h.queued()) === 5 ? true : undefined));
    await waitUntil('inbox empty', () =>
      ms.mailbox(h.user).list().length === 0 ? true : undefined,
    );

    const processed = ms
      .mailbox(h.user)
      .folders()
      .filter((f) => f.displayName === 'Processed');
    expect(processed).toHaveLength(1);
    expect(ms.mailbox(h.user).list(processed[0]!.id)).toHaveLength(5);
    expect(requestsSince(before, 'POST', /\/mailFolders$/)).toHaveLength(1);
  });

  it('a message over RC_MAX_MESSAGE_BYTES is queued as its header section, marked truncated', async () => {
    const h = await harness();
    const raw = rawMessage(1, 'x'.repeat(6_000));
    ms.mailbox(h.user).put(raw);
    await h.start({ RC_MAX_MESSAGE_BYTES: '2048' });
    await waitUntil('queued', async () => ((await h.queued()) === 1 ? true : undefined));
    const [job] = await h.jobs();
    expect(job!.truncated).toBe(true);
    expect(job!.size).toBe(Buffer.byteLength(raw));
    expect(inlineRaw(job!).toString()).toBe(raw.slice(0, raw.indexOf('\r\n\r\n') + 4));
  });

  it('never more than 4 requests in flight for the mailbox, none refused for concurrency', async () => {
    const h = await harness();
    for (let n = 0; n < 30; n++) ms.mailbox(h.user).put(rawMessage(n));
    const throttledBefore = ms.stats.graph.throttled;
    ms.settings.graphLatencyMs = 40;
    try {
      await h.start({ RC_BATCH_SIZE: '30' });
      await waitUntil('30 queued', async () => ((await h.queued()) === 30 ? true : undefined));
    } finally {
      ms.settings.graphLatencyMs = 0;
    }
    expect(ms.stats.graph.maxConcurrent).toBeLessThanOrEqual(4);
    expect(ms.stats.graph.maxConcurrent).toBeGreaterThan(1);
    expect(ms.stats.graph.throttled).toBe(throttledBefore);
  });

  it('a 429/503 storm loses nothing and nothing is sent inside an announced Retry-After', async () => {
    const h = await harness();
    for (let n = 0; n < 12; n++) ms.mailbox(h.user).put(rawMessage(n));
    const violationsBefore = ms.stats.graph.retryAfterViolations.length;
    const refusedBefore = ms.stats.graph.throttled + ms.stats.graph.unavailable;
    const path = new RegExp(escaped(encodeURIComponent(h.user)));
    ms.throttle({ count: 6, status: 429, retryAfterSeconds: 0.3, path });
    ms.throttle({ count: 3, status: 503, path });
    ms.throttle({ count: 3, status: 503, retryAfterSeconds: 0.2, path });
    await h.start(
      { RC_BATCH_SIZE: '5' },
      { timing: { reconnectBaseMs: 200, syncRetryBaseMs: 200 } },
    );
    await waitUntil(
      '12 queued',
      async () => ((await h.queued()) === 12 ? true : undefined),
      30_000,
    );
    await waitUntil('inbox empty', () =>
      ms.mailbox(h.user).list().length === 0 ? true : undefined,
    );
    expect(ms.stats.graph.throttled + ms.stats.graph.unavailable - refusedBefore).toBe(12);
    expect(ms.stats.graph.retryAfterViolations.slice(violationsBefore)).toEqual([]);
  });

  it('two pollers on one mailbox queue each message once', async () => {
    const h = await harness();
    for (let n = 0; n < 40; n++) ms.mailbox(h.user).put(rawMessage(n));
    await Promise.all([h.start({ RC_BATCH_SIZE: '10' }), h.start({ RC_BATCH_SIZE: '10' })]);
    await waitUntil('inbox empty', () =>
      ms.mailbox(h.user).list().length === 0 ? true : undefined,
    );
    await sleep(300);
    const jobs = await h.jobs();
    expect(jobs).toHaveLength(40);
    expect(new Set(jobs.map((j) => j.sourceId)).size).toBe(40);
  });

  it('a wrong client secret: not ready with one line naming AADSTS7000215, no secret logged, alive; ready once Entra accepts it', async () => {
    const h = await harness();
    const wrong = `wrong-${randomBytes(8).toString('hex')}`;
    const lines: string[] = [];
    const capture = (fields: object, message?: string) =>
      lines.push(`${JSON.stringify(fields)} ${message ?? ''}`);
    const logger = {
      info: capture,
      warn: capture,
      error: capture,
      debug: () => undefined,
      child: () => logger,
    } as unknown as Logger;
    const config = h.config({ RC_GRAPH_CLIENT_SECRET: wrong });
    const source = createGraphSource(config, logger, QUIET);
    ms.mailbox(h.user).put(rawMessage(1));
    const host = await h.start(
      { RC_GRAPH_CLIENT_SECRET: wrong },
      { source, timing: { reconnectBaseMs: 100, reconnectMaxMs: 300 } },
    );
    const base = `http://127.0.0.1:${host.http.port}`;
    await waitUntil('a failed login', () => (lines.length > 0 ? true : undefined));
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    const checks = ((await ready.json()) as { checks: { name: string; error?: string }[] }).checks;
    expect(checks.find((c) => c.name === 'mailbox')?.error).toMatch(
      /AADSTS7000215: the client secret is wrong/,
    );
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    await sleep(1_000); // several reconnects, still the one line
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/AUTH_FAILED.*AADSTS7000215/);
    expect(lines.join('\n')).not.toContain(wrong);
    expect(lines.join('\n')).not.toContain(secret);

    ms.registerApp({ clientId, secret: wrong }); // the operator fixes the app registration
    await waitUntil('ready', async () => ((await fetch(`${base}/readyz`)).ok ? true : undefined));
    await waitUntil('queued', async () => ((await h.queued()) === 1 ? true : undefined));
  });
});

describe('Graph change notifications', () => {
  it('subscribes, picks a message up within 1.5 s while the sweep is 60 s, and deletes the subscription on close', async () => {
    const h = await harness();
    const host = await h.start({}, { notify: true });
    await waitUntil('subscribed', () =>
      ms.subscriptions().find((s) => s.user === h.user) ? true : undefined,
    );
    const subscription = ms.subscriptions().find((s) => s.user === h.user)!;
    expect(subscription).toMatchObject({
      changeType: 'created',
      notificationUrl: host.notificationUrl,
      lifecycleNotificationUrl: `${host.notificationUrl}/lifecycle`,
      folderKey: 'inbox',
    });
    expect(subscription.clientState!.length).toBeLessThanOrEqual(128);
    expect(Date.parse(subscription.expirationDateTime) - Date.now()).toBeLessThanOrEqual(
      4230 * 60_000,
    );
    await sleep(200); // the resync after subscribing has run

    const started = Date.now();
    ms.mailbox(h.user).put(rawMessage(1));
    await waitUntil('queued', async () => ((await h.queued()) === 1 ? true : undefined), 5_000, 20);
    expect(Date.now() - started).toBeLessThan(1_500);

    await host.close();
    expect(ms.subscriptions().filter((s) => s.user === h.user)).toEqual([]);
  });

  it('answers the validation handshake on both URLs; a wrong clientState is dropped and counted, the right one syncs', async () => {
    const h = await harness();
    const host = await h.start({}, { notify: true });
    await waitUntil('subscribed', () =>
      ms.subscriptions().find((s) => s.user === h.user) ? true : undefined,
    );
    const token = 'Validation: Testing <client> & "reachability"';
    for (const url of [host.notificationUrl, `${host.notificationUrl}/lifecycle`]) {
      const answer = await fetch(`${url}?validationToken=${encodeURIComponent(token)}`, {
        method: 'POST',
      });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(await answer.text()).toBe(token);
    }

    const { id, clientState } = ms.subscriptions().find((s) => s.user === h.user)!;
    ms.dropSubscription(id); // from now on only our own posts announce mail
    await sleep(200);
    const message = ms.mailbox(h.user).put(rawMessage(1));
    const notify = (state: string) =>
      fetch(host.notificationUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          value: [
            {
              subscriptionId: id,
              clientState: state,
              changeType: 'created',
              resource: `Users/${h.user}/Messages/${message.immutableId}`,
              resourceData: { id: message.immutableId },
            },
          ],
        }),
      });
    const dropped = /^rc_graph_notifications_total\{kind="change",result="dropped"\}/;
    const droppedBefore = await metricValue(host.http.port, dropped);
    expect((await notify(`${clientState}x`)).status).toBe(202);
    await sleep(1_000);
    expect(await h.queued()).toBe(0);
    expect(await metricValue(host.http.port, dropped)).toBe(droppedBefore + 1);

    expect((await notify(clientState!)).status).toBe(202);
    await waitUntil('queued', async () => ((await h.queued()) === 1 ? true : undefined), 2_000);
  });

  it('subscriptionRemoved: subscribes again and resyncs; missed: resyncs; reauthorizationRequired: renews', async () => {
    const h = await harness();
    await h.start({}, { notify: true });
    await waitUntil('subscribed', () =>
      ms.subscriptions().find((s) => s.user === h.user) ? true : undefined,
    );
    const first = ms.subscriptions().find((s) => s.user === h.user)!;
    await sleep(200);
    const lists = () =>
      requestsSince(0, 'GET', new RegExp(`${escaped(h.user)}/mailFolders/inbox/messages$`)).length;

    let before = ms.stats.graph.requests.length;
    ms.lifecycle('subscriptionRemoved', first.id);
    await waitUntil('subscribed again', () =>
      ms.subscriptions().find((s) => s.user === h.user && s.id !== first.id) ? true : undefined,
    );
    await waitUntil('resynced', () =>
      requestsSince(before, 'GET', new RegExp(`${escaped(h.user)}/.*/messages$`)).length > 0
        ? true
        : undefined,
    );
    const second = ms.subscriptions().find((s) => s.user === h.user)!;
    ms.mailbox(h.user).put(rawMessage(1));
    await waitUntil('queued via the new subscription', async () =>
      (await h.queued()) === 1 ? true : undefined,
    );

    await sleep(200);
    const listed = lists();
    ms.lifecycle('missed', second.id);
    await waitUntil('resynced after missed', () => (lists() > listed ? true : undefined));

    before = ms.stats.graph.requests.length;
    ms.lifecycle('reauthorizationRequired', second.id);
    await waitUntil('renewed', () =>
      requestsSince(before, 'PATCH', new RegExp(`/subscriptions/${second.id}$`)).length > 0
        ? true
        : undefined,
    );
  });

  it('renews the subscription before it expires', async () => {
    const h = await harness();
    await h.start({}, { notify: true, graph: { subscription: { lifetimeMs: 2_000 } } });
    await waitUntil('subscribed', () =>
      ms.subscriptions().find((s) => s.user === h.user) ? true : undefined,
    );
    const { id } = ms.subscriptions().find((s) => s.user === h.user)!;
    await sleep(3_000); // past its first expiry
    const live = ms.subscriptions().find((s) => s.user === h.user);
    expect(live?.id).toBe(id);
    expect(requestsSince(0, 'PATCH', new RegExp(`/subscriptions/${id}$`)).length).toBeGreaterThan(
      0,
    );
    ms.mailbox(h.user).put(rawMessage(1));
    await waitUntil('queued', async () => ((await h.queued()) === 1 ? true : undefined), 2_000);
  });
});
