import { ImapFlow } from 'imapflow';
import type { MailStack } from './mail-stack';
import { sleep } from './wait';

/** Reads and writes one IMAP mailbox (thin wrapper over imapflow). */
export interface MailboxClient {
  /** raw sources of all messages currently in the folder, oldest first */
  list(): Promise<{ uid: number; source: Buffer }[]>;
  count(): Promise<number>;
  /** polls every 100 ms until a message matches; rejects after timeoutMs (default 10 s) */
  waitFor(predicate: (source: Buffer) => boolean, timeoutMs?: number): Promise<Buffer>;
  /** waits until the folder holds exactly n messages (default timeout 10 s) */
  waitForCount(n: number, timeoutMs?: number): Promise<void>;
  append(raw: Buffer | string): Promise<void>;
  close(): Promise<void>;
}

const POLL_MS = 100;
const DEFAULT_TIMEOUT_MS = 10_000;

/**
 * Logs in as `address` and selects `folder` (default INBOX), creating it first if it is not
 * INBOX and does not exist yet (Dovecot auto-creates only INBOX).
 */
export async function openMailbox(
  stack: Pick<MailStack, 'imap' | 'credentialsFor'>,
  address: string,
  folder = 'INBOX',
): Promise<MailboxClient> {
  const { user, pass } = stack.credentialsFor(address);
  const client = new ImapFlow({
    host: stack.imap.host,
    port: stack.imap.port,
    secure: false,
    doSTARTTLS: false,
    auth: { user, pass },
    logger: false,
    // We poll with NOOP; imapflow's own IDLE would only add a command to wait behind.
    disableAutoIdle: true,
  });
  // A stack stopped before close() drops the socket; without a listener that would crash the run.
  client.on('error', () => undefined);
  const where = `${folder} of ${address}`;
  try {
    await client.connect();
    if (folder.toUpperCase() !== 'INBOX') {
      const existing = await client.list();
      if (!existing.some((box) => box.path === folder)) await client.mailboxCreate(folder);
    }
    await client.mailboxOpen(folder);
  } catch (err) {
    client.close();
    throw new Error(
      `openMailbox: cannot open ${where} on ${stack.imap.host}:${stack.imap.port}: ${(err as Error).message}`,
    );
  }

  /** NOOP makes Dovecot report new EXISTS, which imapflow tracks in client.mailbox.exists. */
  const refreshedCount = async (): Promise<number> => {
    await client.noop();
    return client.mailbox ? client.mailbox.exists : 0;
  };

  const list = async (): Promise<{ uid: number; source: Buffer }[]> => {
    if ((await refreshedCount()) === 0) return [];
    const messages = await client.fetchAll('1:*', { uid: true, source: true });
    return messages
      .filter((m): m is typeof m & { source: Buffer } => m.source !== undefined)
      .map((m) => ({ uid: m.uid, source: m.source }))
      .sort((a, b) => a.uid - b.uid);
  };

  return {
    list,
    count: refreshedCount,
    async waitFor(predicate, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      let seen = 0;
      for (;;) {
        const messages = await list();
        seen = messages.length;
        const hit = messages.find((m) => predicate(m.source));
        if (hit) return hit.source;
        if (Date.now() >= deadline) {
          throw new Error(
            `waitFor: no message matching the predicate in ${where} after ${timeoutMs} ms (${seen} message(s) present)`,
          );
        }
        await sleep(POLL_MS);
      }
    },
    async waitForCount(n, timeoutMs = DEFAULT_TIMEOUT_MS) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await refreshedCount();
        if (current === n) return;
        if (Date.now() >= deadline) {
          throw new Error(
            `waitForCount: ${where} holds ${current} message(s), expected ${n} after ${timeoutMs} ms`,
          );
        }
        await sleep(POLL_MS);
      }
    },
    async append(raw) {
      const result = await client.append(folder, raw);
      if (result === false) throw new Error(`append: the server refused to append to ${where}`);
    },
    async close() {
      if (!client.usable) return;
      try {
        await client.logout();
      } catch {
        client.close();
      }
    },
  };
}
