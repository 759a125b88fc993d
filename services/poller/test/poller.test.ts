import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { InboundJob } from '@rc/contracts';
import { createLogger, loadConfig, startHost, type Host, type TypedQueue } from '@rc/runtime';
import {
  countJobs,
  findFreePort,
  openMailbox,
  sendTestMail,
  startMailStack,
  startRedis,
  type MailboxClient,
  type MailStack,
  type RedisServer,
  sleep,
  waitUntil,
} from '@rc/testkit';
import { Queue } from 'bullmq';
import { ImapFlow } from 'imapflow';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapSource } from '../src/adapters/imap';
import type { FetchedMessage, MailboxSource } from '../src/adapters/mailbox-source';
import { syncBatch } from '../src/process';
import { startPoller, type PollerOptions } from '../src/index';
import { inlineRaw } from './inline-raw';

/**
 * The poller against a real Dovecot (IMAP, IDLE, MOVE) and a real Redis. Every case has its
 * own mailbox user and its own queue prefix, and looks at the `inbound` queue through a
 * separate BullMQ Queue, as the verifier would.
 */

let redis: RedisServer;
let stack: MailStack;
const cleanups: (() => Promise<unknown>)[] = [];
let counter = 0;

beforeAll(async () => {
  [redis, stack] = await Promise.all([startRedis(), startMailStack()]);
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await Promise.allSettled([stack?.stop(), redis?.stop()]);
});

function newMailboxAddress(): string {
  counter += 1;
  return `poll${counter}-${randomBytes(3).toString('hex')}@rc.example`;
}

function rawMessage(n: number, body = `Approve. Message number ${n}.`): string {
  return [
    'From: Alice Example <alice@corp.example>',
    'To: approvals@rc.example',
    `Subject: answer ${n}`,
    `Message-ID: <answer-${n}-${randomBytes(4).toString('hex')}@corp.example>`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

function pollerEnv(
  address: string,
  prefix: string,
  extra: Record<string, string>,
  redisUrl = redis.url,
) {
  const { user, pass } = stack.credentialsFor(address);
  return {
    RC_REDIS_URL: redisUrl,
    RC_QUEUE_PREFIX: prefix,
    RC_MAILBOX_ADDRESS: address,
    RC_IMAP_HOST: stack.imap.host,
    RC_IMAP_PORT: String(stack.imap.port),
    RC_IMAP_SECURITY: 'none',
    RC_IMAP_USER: user,
    RC_IMAP_PASSWORD: pass,
    RC_SIGNING_KEYS: `k1:${'ef'.repeat(24)}`,
    RC_STARTUP_DELAY: '0s',
    RC_SYNC_INTERVAL: '60s',
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    ...extra,
  };
}

interface Harness {
  address: string;
  prefix: string;
  mailbox: MailboxClient;
  /** the `inbound` queue as a consumer sees it */
  inbound: TypedQueue<'inbound'>;
  startPollerHost(
    extra?: Record<string, string>,
    redisUrl?: string,
    options?: PollerOptions,
  ): Promise<Host>;
  queued(): Promise<number>;
  jobs(): Promise<InboundJob[]>;
}

async function harness(): Promise<Harness> {
  const address = newMailboxAddress();
  const prefix = `poll${randomBytes(4).toString('hex')}`;
  const mailbox = await openMailbox(stack, address);
  cleanups.push(() => mailbox.close());
  const inbound: TypedQueue<'inbound'> = new Queue('inbound', {
    connection: { host: '127.0.0.1', port: redis.port },
    prefix,
  });
  cleanups.push(() => inbound.close());
  return {
    address,
    prefix,
    mailbox,
    inbound,
    async startPollerHost(extra = {}, redisUrl, options) {
      const config = loadConfig(pollerEnv(address, prefix, extra, redisUrl), ['poller']);
      const host = await startHost(
        config,
        [(context) => startPoller(context, options)],
        'poller-test',
      );
      cleanups.push(() => host.close());
      return host;
    },
    queued: () => countJobs(inbound),
    async jobs() {
      return (
        await inbound.getJobs([
          'waiting',
          'prioritized',
          'active',
          'delayed',
          'completed',
          'failed',
        ])
      ).map((job) => job.data);
    },
  };
}

const decode = (job: InboundJob) => inlineRaw(job).toString('utf8');

/** The real IMAP source of a mailbox, counting what the poller asks of it. */
function countingSource(address: string) {
  const config = loadConfig(pollerEnv(address, 'unused', {}), ['poller']);
  const real = createImapSource(config, createLogger({ service: 'poller-test', level: 'silent' }));
  const calls = { connect: 0, list: 0, remove: 0 };
  const source: MailboxSource = {
    ...real,
    kind: real.kind,
    name: real.name,
    connect(onNewMail, onClose) {
      calls.connect += 1;
      return real.connect(onNewMail, onClose);
    },
    list(limit) {
      calls.list += 1;
      return real.list(limit);
    },
    remove(ids) {
      calls.remove += 1;
      return real.remove(ids);
    },
  };
  cleanups.push(() => real.close());
  return { source, calls };
}

/** IMAP APPEND with an explicit INTERNALDATE (RFC 3501 6.3.11), as a delivery hours ago. */
async function appendWithInternalDate(address: string, raw: string, date: Date): Promise<void> {
  const client = new ImapFlow({
    ...stack.imap,
    secure: false,
    doSTARTTLS: false,
    auth: stack.credentialsFor(address),
    logger: false,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    expect(await client.append('INBOX', raw, [], date)).toBeTruthy();
  } finally {
    await client.logout();
  }
}

describe('poller', () => {
  it('queues a backlog of 120 messages in batches of 50 and empties the mailbox', async () => {
    const h = await harness();
    for (let n = 1; n <= 120; n++) await h.mailbox.append(rawMessage(n));
    expect(await h.mailbox.count()).toBe(120);

    const host = await h.startPollerHost({ RC_BATCH_SIZE: '50' });
    // The interval sweep is 60 s away: only the startup sync and its backlog follow-ups can do this.
    await waitUntil(
      '120 inbound jobs',
      async () => ((await h.queued()) === 120 ? true : undefined),
      20_000,
    );
    await h.mailbox.waitForCount(0);

    const jobs = await h.jobs();
    const subjects = new Set(jobs.map((job) => /^Subject: (.*)$/m.exec(decode(job))?.[1]?.trim()));
    expect(subjects.size).toBe(120);
    expect(subjects.has('answer 1')).toBe(true);
    expect(subjects.has('answer 120')).toBe(true);
    for (const job of jobs) {
      expect(job).toMatchObject({
        source: 'imap',
        mailbox: `${h.address}/INBOX`,
        truncated: false,
      });
      expect(job.inboundId).toMatch(/^[0-9a-f]{40}$/);
      expect(job.size).toBe(inlineRaw(job).length);
    }
    await host.close();
  });

  it('picks up a delivered message within 3 s through IMAP IDLE, not the 60 s sweep', async () => {
    const h = await harness();
    const host = await h.startPollerHost({ RC_SYNC_INTERVAL: '60s' });
    await sleep(1000); // the startup sync is over and the poller sits in IDLE

    const ready = await fetch(`http://127.0.0.1:${host.http.port}/readyz`);
    expect(ready.status).toBe(200);
    expect(((await ready.json()) as { checks: { name: string; ok: boolean }[] }).checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'mailbox', ok: true })]),
    );

    const sentAt = Date.now();
    await sendTestMail(stack.smtp, {
      from: 'alice@corp.example',
      to: h.address,
      subject: 'idle pickup',
      text: 'Approve.',
    });
    await waitUntil(
      'the IDLE pickup',
      async () => ((await h.queued()) === 1 ? true : undefined),
      3_000,
      20,
    );
    const latencyMs = Date.now() - sentAt;
    console.log(`IDLE pickup latency: ${latencyMs} ms`);
    expect(latencyMs).toBeLessThan(3_000);
    const [job] = await h.jobs();
    expect(decode(job!)).toContain('Subject: idle pickup');
    await h.mailbox.waitForCount(0);
    await host.close();
  });

  it('RC_FETCH_ENABLED=false never logs in and takes nothing; the same setup with true takes it all', async () => {
    const h = await harness();
    await h.mailbox.append(rawMessage(1));
    await h.mailbox.append(rawMessage(2));
    const disabled = countingSource(h.address);
    const off = await h.startPollerHost(
      { RC_FETCH_ENABLED: 'false', RC_SYNC_INTERVAL: '1s' },
      undefined,
      { source: disabled.source },
    );
    await sleep(2_500);
    expect(disabled.calls).toEqual({ connect: 0, list: 0, remove: 0 });
    expect(await h.queued()).toBe(0);
    expect(await h.mailbox.count()).toBe(2);
    await off.close();

    // The control: the same mailbox, source and interval with fetching on.
    const enabled = countingSource(h.address);
    const on = await h.startPollerHost({ RC_SYNC_INTERVAL: '1s' }, undefined, {
      source: enabled.source,
    });
    await waitUntil('2 inbound jobs', async () => ((await h.queued()) === 2 ? true : undefined));
    await h.mailbox.waitForCount(0);
    expect(enabled.calls.connect).toBe(1);
    expect(enabled.calls.remove).toBeGreaterThanOrEqual(1);
    await on.close();
  });

  it('a job carries the mailbox arrival time (INTERNALDATE), not the Date header nor the pickup time', async () => {
    const h = await harness();
    const arrived = new Date(Date.now() - 2 * 3_600_000);
    arrived.setMilliseconds(0); // INTERNALDATE has whole seconds (RFC 3501 date-time)
    await appendWithInternalDate(h.address, rawMessage(1), arrived);
    const host = await h.startPollerHost();
    await waitUntil('1 inbound job', async () => ((await h.queued()) === 1 ? true : undefined));
    const [job] = await h.jobs();
    expect(job!.arrivedAt).toBeDefined();
    expect(new Date(job!.arrivedAt!).getTime()).toBe(arrived.getTime());
    expect(Date.now() - new Date(job!.receivedAt).getTime()).toBeLessThan(60_000);
    expect(job!.sourceId).toBeUndefined(); // IMAP dedupes by the bytes
    await host.close();
  });
  it('RC_STARTUP_DELAY=2s takes nothing before 2 s, then everything', async () => {
    const h = await harness();
    await h.mailbox.append(rawMessage(1));
    const startedAt = Date.now();
    const host = await h.startPollerHost({ RC_STARTUP_DELAY: '2s' });
    // New mail during the delay is announced by IDLE but must still wait.
    await sendTestMail(stack.smtp, {
      from: 'alice@corp.example',
      to: h.address,
      subject: 'during the delay',
      text: 'Approve.',
    });
    await sleep(Math.max(0, 1_500 - (Date.now() - startedAt)));
    expect(await h.queued()).toBe(0);
    expect(await h.mailbox.count()).toBe(2);

    await waitUntil(
      'queued after the delay',
      async () => ((await h.queued()) === 2 ? true : undefined),
      5_000,
      20,
    );
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(1_950);
    await h.mailbox.waitForCount(0);
    await host.close();
  });

  it('RC_AFTER_PROCESSING=move:Processed moves the messages into a folder it creates', async () => {
    const h = await harness();
    for (let n = 1; n <= 3; n++) await h.mailbox.append(rawMessage(n));
    const host = await h.startPollerHost({ RC_AFTER_PROCESSING: 'move:Processed' });
    await waitUntil('3 inbound jobs', async () => ((await h.queued()) === 3 ? true : undefined));
    await h.mailbox.waitForCount(0);
    await host.close();

    const processed = await openMailbox(stack, h.address, 'Processed');
    cleanups.push(() => processed.close());
    const kept = await processed.list();
    expect(
      kept.map((message) => /^Subject: (.*)$/m.exec(message.source.toString())?.[1]?.trim()),
    ).toEqual(['answer 1', 'answer 2', 'answer 3']);
  });

  it('a message over RC_MAX_MESSAGE_BYTES is queued as its header section only, marked truncated', async () => {
    const h = await harness();
    const bigBody = `BODY-START ${'x'.repeat(10 * 1024)} BODY-END`;
    await h.mailbox.append(rawMessage(7, bigBody));
    await h.mailbox.append(rawMessage(8));
    const host = await h.startPollerHost({ RC_MAX_MESSAGE_BYTES: '2048' });
    await waitUntil('2 inbound jobs', async () => ((await h.queued()) === 2 ? true : undefined));
    await h.mailbox.waitForCount(0);

    const jobs = await h.jobs();
    const big = jobs.find((job) => decode(job).includes('Subject: answer 7'));
    const small = jobs.find((job) => decode(job).includes('Subject: answer 8'));
    expect(big?.truncated).toBe(true);
    expect(big?.size).toBeGreaterThan(10 * 1024);
    const headers = decode(big!);
    expect(headers).toContain('From: Alice Example <alice@corp.example>');
    expect(headers).not.toContain('BODY-START');
    expect(inlineRaw(big!).length).toBeLessThan(2048);
    expect(small?.truncated).toBe(false);
    expect(decode(small!)).toContain('Message number 8');
    await host.close();
  });
});

describe('no lost answer', () => {
  /** The real IMAP source of one mailbox, connected, outside any host. */
  async function imapSource(
    address: string,
    extra: Record<string, string> = {},
  ): Promise<MailboxSource> {
    const config = loadConfig(pollerEnv(address, 'unused', extra), ['poller']);
    const source = createImapSource(
      config,
      createLogger({ service: 'poller-test', level: 'silent' }),
    );
    await source.connect(
      () => undefined,
      () => undefined,
    );
    cleanups.push(() => source.close());
    return source;
  }

  it('when Redis is unreachable, syncBatch rejects and every message stays in the mailbox', async () => {
    const h = await harness();
    for (let n = 1; n <= 3; n++) await h.mailbox.append(rawMessage(n));
    const source = await imapSource(h.address);
    // Nothing listens on this port once the probe server is gone; no reconnects, fail fast.
    const deadRedis = new Redis({
      host: '127.0.0.1',
      port: 1,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
      lazyConnect: true,
    });
    deadRedis.on('error', () => undefined);
    const deadQueue: TypedQueue<'inbound'> = new Queue('inbound', {
      connection: deadRedis,
      prefix: h.prefix,
    });
    deadQueue.on('error', () => undefined);
    cleanups.push(() => deadQueue.close());

    await expect(
      syncBatch(source, deadQueue, { batchSize: 50, maxMessageBytes: 2_097_152 }),
    ).rejects.toThrow();
    expect(await h.mailbox.count()).toBe(3);

    // The same source with a working queue then takes them all.
    const handled = await syncBatch(source, h.inbound, {
      batchSize: 50,
      maxMessageBytes: 2_097_152,
    });
    expect(handled).toBe(3);
    expect(await h.queued()).toBe(3);
    expect(await h.mailbox.count()).toBe(0);
  });

  it('a crash between queueing and removal leaves a duplicate that the jobId absorbs', async () => {
    const h = await harness();
    for (let n = 1; n <= 4; n++) await h.mailbox.append(rawMessage(n));
    const real = await imapSource(h.address);
    let removals = 0;
    const crashingOnce: MailboxSource = {
      ...real,
      kind: real.kind,
      name: real.name,
      async remove(ids) {
        removals += 1;
        if (removals === 1) throw new Error('simulated crash before the mailbox removal');
        return real.remove(ids);
      },
    };
    const options = { batchSize: 50, maxMessageBytes: 2_097_152 };

    await expect(syncBatch(crashingOnce, h.inbound, options)).rejects.toThrow(/simulated crash/);
    expect(await h.queued()).toBe(4);
    expect(await h.mailbox.count()).toBe(4);

    expect(await syncBatch(crashingOnce, h.inbound, options)).toBe(4);
    expect(await h.queued()).toBe(4);
    expect(await h.mailbox.count()).toBe(0);
  });

  it('a source that names its messages (Graph immutable ids) is deduped by the name, not the bytes', async () => {
    const h = await harness();
    // Ids are case-sensitive opaque strings: these two are two messages.
    const ids = ['AAMkAGI2THVSAAA=', 'aamkagi2thvsaaa='];
    let downloads = 0;
    const graphLike: MailboxSource = {
      kind: 'graph',
      name: 'rc@corp.example/inbox',
      connect: async () => undefined,
      list: async () => ids.map((id) => ({ id, size: 300 })),
      // Each download has other bytes, as MIME generated on every request may.
      fetch: async (messages) =>
        messages.map((message): FetchedMessage => {
          downloads += 1;
          const bytes = Buffer.from(rawMessage(downloads));
          return {
            id: message.id,
            size: bytes.length,
            source: bytes,
            truncated: false,
            sourceId: message.id,
            arrivedAt: new Date('2024-05-01T10:00:00Z'),
          };
        }),
      remove: () => Promise.reject(new Error('simulated crash before the mailbox removal')),
      watch: () => undefined,
      check: async () => undefined,
      close: async () => undefined,
    };
    const options = { batchSize: 50, maxMessageBytes: 2_097_152 };

    // Two pollers (or one crashing twice) take the same two messages.
    await expect(syncBatch(graphLike, h.inbound, options)).rejects.toThrow(/simulated crash/);
    await expect(syncBatch(graphLike, h.inbound, options)).rejects.toThrow(/simulated crash/);
    expect(downloads).toBe(4);
    expect(await h.queued()).toBe(2);
    const jobs = await h.jobs();
    expect(jobs.map((job) => job.sourceId).sort()).toEqual([...ids].sort());
    for (const job of jobs) {
      expect(job.inboundId).toBe(
        createHash('sha256').update(`graph:${job.sourceId}`).digest('hex').slice(0, 40),
      );
      expect(job).toMatchObject({ source: 'graph', arrivedAt: '2024-05-01T10:00:00.000Z' });
    }
  });

  it('a MOVE the server refuses fails the sync instead of passing silently, and the mail stays', async () => {
    const h = await harness();
    for (let n = 1; n <= 2; n++) await h.mailbox.append(rawMessage(n));
    const source = await imapSource(h.address, { RC_AFTER_PROCESSING: 'move:Gone' });
    // Someone deletes the target folder while the poller runs.
    const admin = new ImapFlow({
      ...stack.imap,
      secure: false,
      doSTARTTLS: false,
      auth: stack.credentialsFor(h.address),
      logger: false,
    });
    admin.on('error', () => undefined);
    await admin.connect();
    expect((await admin.list()).map((box) => box.path)).toContain('Gone');
    await admin.mailboxDelete('Gone');
    await admin.logout();

    await expect(
      syncBatch(source, h.inbound, { batchSize: 50, maxMessageBytes: 2_097_152 }),
    ).rejects.toThrow(/MOVE to Gone failed/);
    expect(await h.mailbox.count()).toBe(2);
  });

  it('a running poller keeps the mail while Redis is down and queues it once Redis is back', async () => {
    const h = await harness();
    const own = await startOwnRedis();
    const probe = new Queue<InboundJob>('inbound', {
      connection: { host: '127.0.0.1', port: own.port },
      prefix: h.prefix,
    });
    cleanups.push(() => probe.close());
    const host = await h.startPollerHost(
      { RC_SYNC_INTERVAL: '1s' },
      `redis://127.0.0.1:${own.port}`,
    );
    await sleep(500);

    await own.stop();
    await sendTestMail(stack.smtp, {
      from: 'alice@corp.example',
      to: h.address,
      subject: 'while redis is down',
      text: 'Approve.',
    });
    // IDLE fires at once and the 1 s sweep retries; each attempt must fail and keep the mail.
    await sleep(3_000);
    expect(await h.mailbox.count()).toBe(1);

    const again = await startOwnRedis(own.port);
    cleanups.push(() => again.stop());
    await waitUntil(
      'the mail queued after Redis is back',
      async () => {
        const counts = await probe.getJobCounts('waiting');
        return counts.waiting === 1 ? true : undefined;
      },
      15_000,
      100,
    );
    await h.mailbox.waitForCount(0);
    const [job] = await probe.getJobs(['waiting']);
    expect(decode(job!.data)).toContain('Subject: while redis is down');
    await host.close();
  });
});

// Last in this file: Dovecot delays every later login from 127.0.0.1 after a refused one (its
// auth penalty), which would slow the tests above.
describe('mailbox login', () => {
  it('a refused IMAP login is AUTH_FAILED without the password; the poller stays up and not ready', async () => {
    const h = await harness();
    const wrong = { RC_IMAP_PASSWORD: `wrong-${randomBytes(6).toString('hex')}` };
    const source = createImapSource(
      loadConfig(pollerEnv(h.address, 'unused', wrong), ['poller']),
      createLogger({ service: 'poller-test', level: 'silent' }),
    );
    const error: unknown = await source
      .connect(
        () => undefined,
        () => undefined,
      )
      .then(
        () => undefined,
        (failure: unknown) => failure,
      );
    expect(error).toMatchObject({ code: 'AUTH_FAILED' });
    expect((error as Error).message).not.toContain(wrong.RC_IMAP_PASSWORD);

    // No reconnect attempt within the test: each would wait out Dovecot's auth penalty.
    const host = await h.startPollerHost(wrong, undefined, { timing: { reconnectBaseMs: 60_000 } });
    const ready = await fetch(`http://127.0.0.1:${host.http.port}/readyz`);
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { checks: { name: string; ok: boolean }[] }).checks).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'mailbox', ok: false })]),
    );
    await host.close();
  });
});

/**
 * A redis-server on a port of our choosing, so that a test can stop it and start it again on
 * the same address (the testkit picks a new port for every server).
 */
async function startOwnRedis(port?: number): Promise<{ port: number; stop(): Promise<void> }> {
  const chosen = port ?? (await findFreePort());
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    await exited;
  };
  cleanups.push(stop);
  const client = new Redis({
    host: '127.0.0.1',
    port: chosen,
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  client.on('error', () => undefined);
  try {
    await waitUntil(
      `redis-server on ${chosen}`,
      async () => {
        try {
          if (client.status !== 'ready') await client.connect();
          return (await client.ping()) === 'PONG' ? true : undefined;
        } catch {
          client.disconnect();
          return undefined;
        }
      },
      10_000,
      50,
    );
  } finally {
    client.disconnect();
  }
  return { port: chosen, stop };
}
