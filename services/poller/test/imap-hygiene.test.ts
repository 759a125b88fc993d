import net from 'node:net';
import { createLogger, loadConfig, metrics } from '@rc/runtime';
import {
  sleep,
  startMailStack,
  startRedis,
  waitUntil,
  type MailStack,
  type RedisServer,
} from '@rc/testkit';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createImapSource } from '../src/adapters/imap';
import { mailboxWorld, pollerReadiness, type MailboxWorld } from './lease-world';

/**
 * The IMAP connection's hygiene on a real Dovecot: a restart of the server, a connection that
 * stops answering without being closed, and a folder whose UIDs were reset.
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

async function world(imap?: { host: string; port: number }): Promise<MailboxWorld> {
  const created = await mailboxWorld(redis, stack, imap);
  cleanups.push(() => created.close());
  return created;
}

/**
 * A TCP relay in front of Dovecot that can swallow every byte in both directions while keeping
 * the connections open: what a NAT or firewall that dropped its state, or a hung server, looks
 * like to a client — no FIN, no RST, just silence.
 */
async function blackholeRelay(upstreamPort: number) {
  let swallowing = false;
  /** what clients sent, for counting commands */
  let sent = '';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(upstreamPort, '127.0.0.1');
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk: Buffer) => {
        if (from === client) sent += chunk.toString('latin1');
        if (!swallowing) to.write(chunk);
      });
      from.on('error', () => undefined);
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  const relay = {
    port,
    swallow: (on: boolean) => (swallowing = on),
    /** how many IDLE commands (RFC 2177: `tag IDLE`) clients issued so far */
    idles: () => sent.match(/^\S+ IDLE\r\n/gm)?.length ?? 0,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  cleanups.push(relay.close);
  return relay;
}

/** Successful syncs that followed a reconnect, in this process so far. */
async function reconnectSyncs(): Promise<number> {
  const { values } = await metrics.mailboxSyncs.get();
  return values
    .filter((value) => value.labels.trigger === 'reconnect' && value.labels.result === 'ok')
    .reduce((sum, value) => sum + value.value, 0);
}

describe('IMAP hygiene', () => {
  it('after a Dovecot restart it reconnects and takes the mail delivered meanwhile at once', async () => {
    const w = await world();
    // Reconnects wait 1.5–3 s here, so mail delivered right after the restart waits for the
    // reconnect: only the sync that follows a reconnect can take it.
    const host = await w.startPoller({
      timing: { reconnectBaseMs: 3_000, reconnectMaxMs: 3_000 },
    });
    await waitUntil('connected', async () =>
      (await pollerReadiness(host.http.port))?.ok ? true : undefined,
    );
    await w.deliver('before the restart');
    await w.settled(1);

    const reconnectsBefore = await reconnectSyncs();
    await stack.restartDovecot();
    const restartedAt = Date.now();
    await w.reopenMailbox();
    await w.deliver('during the reconnect');
    await w.settled(2, 15_000);
    expect(await reconnectSyncs()).toBeGreaterThan(reconnectsBefore);
    const pickupMs = Date.now() - restartedAt;
    console.log(`Dovecot restart: mail taken ${pickupMs} ms after Dovecot was back`);
    expect(await w.subjects()).toEqual(['before the restart', 'during the reconnect']);
    expect((await pollerReadiness(host.http.port))?.ok).toBe(true);
  });

  it('a connection that stops answering in IDLE is found by the NOOP probe, dropped, and re-made once the path heals', async () => {
    const relay = await blackholeRelay(stack.imap.port);
    const w = await world({ host: '127.0.0.1', port: relay.port });
    const host = await w.startPoller({
      imap: { liveness: { probeEveryMs: 500, answerWithinMs: 500 }, connectTimeoutMs: 1_000 },
      timing: { reconnectBaseMs: 300, reconnectMaxMs: 1_000 },
    });
    await waitUntil('connected', async () =>
      (await pollerReadiness(host.http.port))?.ok ? true : undefined,
    );
    await w.deliver('before the silence');
    await w.settled(1);

    relay.swallow(true);
    const silentAt = Date.now();
    await w.deliver('during the silence');
    await waitUntil(
      'the dead connection to be noticed',
      async () => ((await pollerReadiness(host.http.port))?.ok === false ? true : undefined),
      5_000,
      20,
    );
    const detectMs = Date.now() - silentAt;
    await sleep(1_500); // reconnects fail meanwhile (no greeting comes through)
    expect(await w.queued()).toBe(1);
    expect(await w.mailbox.count()).toBe(1);

    relay.swallow(false);
    const healedAt = Date.now();
    await w.settled(2, 10_000);
    console.log(
      `silent IMAP connection: noticed after ${detectMs} ms; mail taken ${Date.now() - healedAt} ms after the path healed`,
    );
    expect(detectMs).toBeLessThan(2_500);
    expect(await w.subjects()).toEqual(['before the silence', 'during the silence']);
  });

  it('IDLE is ended and issued again after maxIdleTime, before a server would drop it, and still reports new mail', async () => {
    const relay = await blackholeRelay(stack.imap.port);
    const w = await world({ host: '127.0.0.1', port: relay.port });
    const host = await w.startPoller({ imap: { maxIdleTimeMs: 400 } });
    await waitUntil('connected', async () =>
      (await pollerReadiness(host.http.port))?.ok ? true : undefined,
    );
    const before = relay.idles();
    await sleep(2_100);
    // About five restarts in 2.1 s; fewer than three would mean the time is not honoured.
    expect(relay.idles() - before).toBeGreaterThanOrEqual(3);
    await w.deliver('after the IDLE restarts');
    await w.settled(1, 5_000);
  });

  it('a folder whose UIDVALIDITY changed between list and removal keeps its mail; the change is logged', async () => {
    const w = await world();
    const folder = 'Answers';
    const admin = new ImapFlow({
      ...stack.imap,
      secure: false,
      doSTARTTLS: false,
      auth: stack.credentialsFor(w.address),
      logger: false,
    });
    admin.on('error', () => undefined);
    await admin.connect();
    cleanups.push(() => admin.logout());
    await admin.mailboxCreate(folder);
    await admin.append(folder, 'Subject: old 1\r\n\r\nApprove.\r\n');
    await admin.append(folder, 'Subject: old 2\r\n\r\nApprove.\r\n');

    const logger = createLogger({ service: 'hygiene-test', level: 'silent' });
    const warn = vi.spyOn(logger, 'warn');
    const source = createImapSource(
      loadConfig(w.env({ RC_IMAP_FOLDER: folder }), ['poller']),
      logger,
    );
    cleanups.push(() => source.close());
    const connect = () =>
      source.connect(
        () => undefined,
        () => undefined,
      );
    await connect();
    const listed = await source.list(50);
    expect(listed).toHaveLength(2);

    // The folder is deleted and made again (a restore, a migration): its UIDs start over, so
    // the listed UIDs now name the new folder's messages.
    await source.close();
    await admin.mailboxDelete(folder);
    await admin.mailboxCreate(folder);
    for (const n of [1, 2, 3]) await admin.append(folder, `Subject: new ${n}\r\n\r\nApprove.\r\n`);
    await connect();
    expect(warn).toHaveBeenCalledWith(
      expect.objectContaining({ folder }),
      expect.stringContaining('UIDVALIDITY changed'),
    );

    await expect(source.remove(listed.map((message) => message.id))).rejects.toThrow(
      /UIDVALIDITY of Answers changed/,
    );
    expect(await admin.status(folder, { messages: true })).toMatchObject({ messages: 3 });

    // The next sync lists again under the new UIDVALIDITY and may remove what it listed.
    const relisted = await source.list(50);
    await source.remove(relisted.map((message) => message.id));
    expect(await admin.status(folder, { messages: true })).toMatchObject({ messages: 0 });
  });
});
