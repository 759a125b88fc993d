import { createLogger, loadConfig } from '@rc/runtime';
import { storeKeys } from '@rc/store';
import { sleep, startMailStack, startRedis, type MailStack, type RedisServer } from '@rc/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createImapSource } from '../src/adapters/imap';
import type { MailboxSource } from '../src/adapters/mailbox-source';
import { mailboxIdentity } from '../src/lease/mailbox-identity';
import { MailboxLease } from '../src/lease/mailbox-lease';
import { syncBatch } from '../src/process';
import { mailboxWorld, pollerReadiness, waitForRole, type MailboxWorld } from './lease-world';

/**
 * Poller replicas on one mailbox, in this process, each with its own Redis connections (each
 * host makes its own): one active through the lease, the others standing by; real Redis and
 * real Dovecot.
 */

let redis: RedisServer;
let stack: MailStack;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  [redis, stack] = await Promise.all([startRedis(), startMailStack()]);
});
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await Promise.allSettled([stack?.stop(), redis?.stop()]);
});

async function world(): Promise<MailboxWorld> {
  const created = await mailboxWorld(redis, stack);
  cleanups.push(() => created.close());
  return created;
}

function connection(): Redis {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
  cleanups.push(() => client.quit());
  return client;
}

/** The real IMAP source of the world's mailbox, counting its logins. */
function countedSource(w: MailboxWorld): { source: MailboxSource; logins: () => number } {
  const real = createImapSource(
    loadConfig(w.env(), ['poller']),
    createLogger({ service: 'lease-test', level: 'silent' }),
  );
  let logins = 0;
  const source: MailboxSource = {
    ...real,
    kind: real.kind,
    name: real.name,
    connect(onNewMail, onClose) {
      logins += 1;
      return real.connect(onNewMail, onClose);
    },
  };
  cleanups.push(() => real.close());
  return { source, logins: () => logins };
}

describe('the mailbox lease', () => {
  it('gives one holder at a time, a larger fencing token per term, and is handed back only by its holder', async () => {
    const keys = { lease: 'lt:lease:mbx', fence: 'lt:fence:mbx' };
    const a = new MailboxLease(connection(), keys, 'host-a:1:aa', 400);
    const b = new MailboxLease(connection(), keys, 'host-b:2:bb', 400);

    const first = await a.tryAcquire();
    expect(first).toBe(1);
    expect(await b.tryAcquire()).toBeUndefined();
    // The holder asking again keeps its term (a renewal lost to a Redis blip is not a loss).
    expect(await a.tryAcquire()).toBe(first);
    expect(await a.renew()).toBe(true);

    // A release by the one that does not hold it changes nothing.
    await b.release();
    expect(await b.tryAcquire()).toBeUndefined();

    await a.release();
    const second = await b.tryAcquire();
    expect(second).toBe(2);
    expect(await a.renew()).toBe(false);
    await expect(a.assertCurrent()).rejects.toMatchObject({ code: 'LEASE_LOST' });

    // Unrenewed, the term expires after its TTL and the next one gets a larger token.
    await sleep(500);
    expect(await a.tryAcquire()).toBe(3);
    expect(await b.renew()).toBe(false);
  });

  it('a stale active poller (renewals paused, another took over) queues at most a duplicate and removes nothing', async () => {
    const w = await world();
    for (const n of [1, 2, 3]) await w.deliver(`stale ${n}`);
    const keys = storeKeys(w.prefix);
    const leaseKeys = { lease: keys.pollerLease(w.address), fence: keys.pollerFence(w.address) };
    const stale = new MailboxLease(connection(), leaseKeys, 'paused:1:aa', 300);
    const active = new MailboxLease(connection(), leaseKeys, 'active:2:bb', 300);
    const staleSource = countedSource(w).source;
    const activeSource = countedSource(w).source;
    for (const source of [staleSource, activeSource])
      await source.connect(
        () => undefined,
        () => undefined,
      );

    expect(await stale.tryAcquire()).toBe(1);
    // The stale poller is paused past its TTL: no renewal, and another takes over.
    await sleep(400);
    expect(await active.tryAcquire()).toBe(2);

    const options = { batchSize: 50, maxMessageBytes: 1_000_000 };
    await expect(
      syncBatch(staleSource, w.inbound, {
        ...options,
        beforeRemove: () => stale.assertCurrent().then(() => undefined),
      }),
    ).rejects.toMatchObject({ code: 'LEASE_LOST' });
    expect(await w.queued()).toBe(3);
    expect(await w.mailbox.count()).toBe(3);

    expect(
      await syncBatch(activeSource, w.inbound, {
        ...options,
        beforeRemove: () => active.assertCurrent().then(() => undefined),
      }),
    ).toBe(3);
    expect(await w.subjects()).toEqual(['stale 1', 'stale 2', 'stale 3']);
    expect(await w.mailbox.count()).toBe(0);
  });
});

describe('two pollers on one mailbox in one process', () => {
  it('one is active, the other stands by ready without logging in; mail is taken once; a graceful stop hands over within 1 s', async () => {
    const w = await world();
    const first = countedSource(w);
    const second = countedSource(w);
    const a = await w.startPoller({ source: first.source });
    await waitForRole(a.http.port, 'leader', 5_000);
    const b = await w.startPoller({ source: second.source });
    await sleep(1_500); // three standby looks

    const standby = await pollerReadiness(b.http.port);
    expect(standby).toEqual({ status: 200, role: 'standby', ok: true });
    expect(second.logins()).toBe(0);
    expect(first.logins()).toBe(1);

    for (const n of [1, 2, 3, 4, 5]) await w.deliver(`both ${n}`);
    await w.settled(5);
    expect(await w.subjects()).toEqual(['both 1', 'both 2', 'both 3', 'both 4', 'both 5']);

    const stoppedAt = Date.now();
    await a.close();
    await waitForRole(b.http.port, 'leader', 2_000);
    const handoverMs = Date.now() - stoppedAt;
    console.log(`graceful handover: ${handoverMs} ms`);
    expect(handoverMs).toBeLessThan(1_000);
    expect(second.logins()).toBe(1);

    await w.deliver('after the handover');
    await w.settled(6);
    expect(await w.subjects()).toContain('after the handover');
  });

  it('the active poller steps down when another holds its lease, and stops touching the mailbox', async () => {
    const w = await world();
    const a = await w.startPoller({
      lease: { ttlMs: 1_000, renewEveryMs: 300, standbyPollMs: 100 },
    });
    await waitForRole(a.http.port, 'leader', 5_000);
    // An operator (or a replica after a partition) took the lease: the next renewal finds out.
    const keys = storeKeys(w.prefix);
    const mailbox = mailboxIdentity(loadConfig(w.env(), ['poller']), { kind: 'imap', name: '' });
    const admin = connection();
    await admin.set(keys.pollerLease(mailbox), '999:someone-else:1', 'PX', 60_000);
    const tookMs = await waitForRole(a.http.port, 'standby', 2_000);
    expect(tookMs).toBeLessThan(1_000);

    await w.deliver('while another holds the lease');
    await sleep(1_500);
    expect(await w.queued()).toBe(0);
    expect(await w.mailbox.count()).toBe(1);

    await admin.del(keys.pollerLease(mailbox));
    await waitForRole(a.http.port, 'leader', 2_000);
    await w.settled(1);
    expect(Number(await admin.get(keys.pollerFence(mailbox)))).toBe(2);
  });
});
