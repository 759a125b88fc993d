import { randomBytes } from 'node:crypto';
import type { InboundJob } from '@rc/contracts';
import { loadConfig, startHost, type Host, type TypedQueue } from '@rc/runtime';
import {
  countJobs,
  openMailbox,
  sendTestMail,
  waitUntil,
  type MailboxClient,
  type MailStack,
  type RedisServer,
} from '@rc/testkit';
import { Queue } from 'bullmq';
import { startPoller, type PollerOptions } from '../src/index';
import { inlineRaw } from './inline-raw';

/**
 * One mailbox user and one queue prefix on a shared Redis and Dovecot, for the lease and IMAP
 * hygiene tests: the poller's environment, pollers in this process, and the `inbound` queue
 * as the verifier sees it.
 */
export interface MailboxWorld {
  address: string;
  prefix: string;
  mailbox: MailboxClient;
  inbound: TypedQueue<'inbound'>;
  /** RC_* variables of a poller on this mailbox */
  env(extra?: Record<string, string>): Record<string, string>;
  startPoller(options?: PollerOptions, extra?: Record<string, string>): Promise<Host>;
  deliver(subject: string): Promise<void>;
  queued(): Promise<number>;
  subjects(): Promise<string[]>;
  /** opens the test's own IMAP session again (after a server restart cut it) */
  reopenMailbox(): Promise<void>;
  /** waits until `n` jobs are queued and the mailbox is empty */
  settled(n: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function mailboxWorld(
  redis: RedisServer,
  stack: MailStack,
  imap: { host: string; port: number } = stack.imap,
): Promise<MailboxWorld> {
  const address = `lease-${randomBytes(4).toString('hex')}@rc.example`;
  const prefix = `lease${randomBytes(4).toString('hex')}`;
  const mailbox = await openMailbox(stack, address);
  const inbound: TypedQueue<'inbound'> = new Queue('inbound', {
    connection: { host: '127.0.0.1', port: redis.port },
    prefix,
  });
  const hosts: Host[] = [];
  const env = (extra: Record<string, string> = {}) => ({
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: prefix,
    RC_MAILBOX_ADDRESS: address,
    RC_IMAP_HOST: imap.host,
    RC_IMAP_PORT: String(imap.port),
    RC_IMAP_SECURITY: 'none',
    RC_IMAP_USER: address,
    RC_IMAP_PASSWORD: stack.password,
    RC_SIGNING_KEYS: `k1:${'cd'.repeat(24)}`,
    RC_STARTUP_DELAY: '0s',
    RC_SYNC_INTERVAL: '60s',
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    ...extra,
  });
  const subjects = async () =>
    (await inbound.getJobs(['waiting', 'active', 'completed', 'failed', 'delayed']))
      .map((job) => subjectOf(job.data))
      .sort();
  const world: MailboxWorld = {
    address,
    prefix,
    mailbox,
    inbound,
    env,
    async startPoller(options, extra) {
      const config = loadConfig(env(extra), ['poller']);
      const host = await startHost(config, [(context) => startPoller(context, options)], 'poller');
      hosts.push(host);
      return host;
    },
    async deliver(subject) {
      await sendTestMail(stack.smtp, {
        from: 'alice@corp.example',
        to: address,
        subject,
        text: 'Approve.',
      });
    },
    queued: () => countJobs(inbound),
    subjects,
    async reopenMailbox() {
      await world.mailbox.close().catch(() => undefined);
      world.mailbox = await openMailbox(stack, address);
    },
    async settled(n, timeoutMs = 10_000) {
      await waitUntil(
        `${n} queued and an empty mailbox`,
        async () =>
          (await countJobs(inbound)) === n && (await world.mailbox.count()) === 0
            ? true
            : undefined,
        timeoutMs,
        50,
      );
    },
    async close() {
      await Promise.allSettled(hosts.map((host) => host.close()));
      await Promise.allSettled([world.mailbox.close(), inbound.close()]);
    },
  };
  return world;
}

export function subjectOf(job: InboundJob): string {
  const raw = inlineRaw(job).toString('utf8');
  return /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? '';
}

interface Readiness {
  status: string;
  checks: { name: string; ok: boolean; role?: string; error?: string }[];
}

/** The poller's `/readyz`: HTTP status and its mailbox check (with the `role` detail). */
export async function pollerReadiness(
  port: number,
): Promise<{ status: number; role?: string; ok?: boolean } | undefined> {
  const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
  if (!response) return undefined;
  const body = (await response.json()) as Readiness;
  const mailbox = body.checks.find((check) => check.name === 'mailbox');
  return { status: response.status, role: mailbox?.role, ok: mailbox?.ok };
}

/** Waits until the poller on `port` reports `role`; resolves to the milliseconds it took. */
export async function waitForRole(
  port: number,
  role: 'leader' | 'standby',
  timeoutMs = 10_000,
): Promise<number> {
  const startedAt = Date.now();
  await waitUntil(
    `the poller on ${port} to be ${role}`,
    async () => ((await pollerReadiness(port))?.role === role ? true : undefined),
    timeoutMs,
    20,
  );
  return Date.now() - startedAt;
}
