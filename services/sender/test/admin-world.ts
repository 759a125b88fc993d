import { randomBytes } from 'node:crypto';
import type { InboundRecord } from '@rc/contracts';
import { loadConfig, startHost, type Host } from '@rc/runtime';
import { InboundLog, RequestStore } from '@rc/store';
import {
  createApiClient,
  openMailbox,
  startMailStack,
  startRedis,
  type MailboxClient,
  type MailStack,
  type RedisServer,
  waitUntil,
} from '@rc/testkit';
import { findAnswerTokens } from '@rc/tokens';
import { startSender } from '../src/index';

/**
 * The world the admin tests look at: a sender on real Redis and a real SMTP server delivering to
 * Dovecot, one request emailed to Alice (its answer tokens read back from her inbox), and the
 * inbound outcomes and audit events the verifier and the task-updater would have written,
 * written through the same store API they use.
 */

export const ADMIN_PASSWORD = 'admin-pass-0123456789';
export const API_TOKEN = 'admin-test-api-token-0123456789';
export const SIGNING_SECRET = 'f3'.repeat(24);
export const MAILBOX = 'approvals@rc.example';

export interface AdminWorld {
  host: Host;
  /** http://127.0.0.1:<port> */
  baseUrl: string;
  /** a second host on the same Redis without RC_ADMIN_PASSWORD */
  hostWithoutAdmin: Host;
  requestId: string;
  /** a request whose title and assignee name are HTML */
  hostileRequestId: string;
  /** the answer tokens of Alice's email (complete, fail, reply) */
  tokens: string[];
  inbound: InboundRecord[];
  /** every value that must never appear on an admin page */
  secrets: string[];
  stop(): Promise<void>;
}

function basicAuth(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

export const ADMIN_AUTHORIZATION = basicAuth('admin', ADMIN_PASSWORD);
export { basicAuth };

export async function startAdminWorld(): Promise<AdminWorld> {
  const [redis, stack]: [RedisServer, MailStack] = await Promise.all([
    startRedis(),
    startMailStack(),
  ]);
  const prefix = `adm${randomBytes(4).toString('hex')}`;
  const env = {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: prefix,
    RC_SMTP_HOST: stack.smtp.host,
    RC_SMTP_PORT: String(stack.smtp.port),
    RC_SMTP_SECURITY: 'none',
    RC_MAILBOX_ADDRESS: MAILBOX,
    RC_SIGNING_KEYS: `k1:${SIGNING_SECRET}`,
    RC_API_TOKEN: API_TOKEN,
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
  };
  const host = await startHost(
    loadConfig({ ...env, RC_ADMIN_PASSWORD: ADMIN_PASSWORD }, ['sender']),
    [startSender],
    'sender-admin-test',
  );
  const hostWithoutAdmin = await startHost(loadConfig(env, ['sender']), [startSender], 'sender');
  const baseUrl = `http://127.0.0.1:${host.http.port}`;
  const api = createApiClient(baseUrl, API_TOKEN);
  const mailboxes: MailboxClient[] = [];

  const alice = `alice.${prefix}@corp.example`;
  const requestId = `deploy-${prefix}`;
  const created = await api('POST', '/v1/completion-requests', {
    requestId,
    taskId: 'Applications/Release1/Phase2/Task3',
    title: 'Approve production deploy',
    description: 'Shop 4.2 goes live.',
    release: { id: 'Release1', title: 'Shop 4.2' },
    assignees: [
      { email: alice, name: 'Alice Example' },
      { email: 'bob@corp.example', name: 'Bob' },
    ],
  });
  const hostileRequestId = `hostile-${prefix}`;
  const hostile = await api('POST', '/v1/completion-requests', {
    requestId: hostileRequestId,
    taskId: 'T-<b>bold</b>',
    title: '<script>document.title="owned"</script><img src=x onerror=alert(1)>',
    assignees: [{ email: 'carol@corp.example', name: '"><i>Carol</i>' }],
  });
  if (created.status !== 202 || hostile.status !== 202)
    throw new Error(`intake refused the test requests: ${created.status} ${hostile.status}`);

  const inbox = await openMailbox(stack, alice);
  mailboxes.push(inbox);
  const source = await inbox.waitFor((raw) => raw.includes('Approve production deploy'), 15_000);
  // The tokens sit in quoted-printable, URL-encoded mailto links: undo both before looking.
  const text = source
    .toString('utf8')
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})|%([0-9A-F]{2})/g, (_m, qp?: string, url?: string) =>
      String.fromCharCode(parseInt(qp ?? url ?? '', 16)),
    );
  const tokens = findAnswerTokens(text).map((token) => token.text);
  const completeToken = tokens.find((token) => /^rc-k1-c/.test(token));
  if (!completeToken) throw new Error('no complete token in the request email');

  const store = new RequestStore(host.context.redis, prefix);
  const inboundLog = new InboundLog(host.context.redis, prefix);
  const stored = await store.getStored(requestId);
  if (!stored) throw new Error('request not stored');
  // Both assignees emailed first, so the audit trail reads in the order things happen.
  await waitUntil('both request emails sent', async () => {
    const sent = (await store.events(requestId)).filter((event) => event.type === 'email_sent');
    return sent.length >= 2 ? true : undefined;
  });
  // The answers came after the request: seconds after now, in the order written below.
  const start = Date.now();
  const at = (second: number) => new Date(start + second * 1000).toISOString();
  const inbound: InboundRecord[] = [
    {
      inboundId: `in-${prefix}-1`,
      outcome: 'rejected',
      reason: 'sender_mismatch',
      detail: 'From mallory@corp.example, the token was sent to someone else',
      from: 'mallory@corp.example',
      subject: `Complete: Approve production deploy [${completeToken}]`,
      messageId: '<fwd-1@corp.example>',
      requestId,
      taskId: stored.taskId,
      receivedAt: at(1),
      decidedAt: at(2),
    },
    {
      inboundId: `in-${prefix}-2`,
      outcome: 'rejected',
      reason: 'auto_reply',
      from: 'dave@corp.example',
      subject: 'Out of office: back on Monday',
      messageId: '<ooo-1@corp.example>',
      requestId: null,
      taskId: null,
      receivedAt: at(3),
      decidedAt: at(3),
    },
    {
      inboundId: `in-${prefix}-3`,
      outcome: 'accepted',
      reason: null,
      from: alice,
      subject: `Complete: Approve production deploy [${completeToken}]`,
      messageId: '<answer-1@corp.example>',
      requestId,
      taskId: stored.taskId,
      action: 'complete',
      receivedAt: at(5),
      decidedAt: at(6),
    },
    {
      inboundId: `in-${prefix}-4`,
      outcome: 'rejected',
      reason: 'already_decided',
      detail: `complete by ${alice} at ${at(6)}`,
      from: 'bob@corp.example',
      subject: 'Re: Approve production deploy',
      messageId: '<answer-2@corp.example>',
      requestId,
      taskId: stored.taskId,
      action: 'fail',
      receivedAt: at(8),
      decidedAt: at(9),
    },
  ];
  for (const record of inbound) await inboundLog.record(record);
  const decision = {
    action: 'complete' as const,
    actor: alice,
    inboundId: `in-${prefix}-3`,
    decidedAt: at(6),
  };
  await store.claimDecision(stored, decision);
  await store.markApplied(stored, at(7));
  await store.addEvent(stored, {
    at: at(2),
    type: 'answer_rejected',
    actor: 'mallory@corp.example',
    detail: 'sender_mismatch',
    inboundId: `in-${prefix}-1`,
  });
  await store.addEvent(stored, {
    at: at(6),
    type: 'answer_accepted',
    actor: alice,
    detail: 'complete: looks good',
    inboundId: `in-${prefix}-3`,
  });
  await store.addEvent(stored, { at: at(7), type: 'engine_notified', detail: 'webhook 200' });

  // A raw email waiting in the inbound queue, as the poller leaves it (no verifier runs here).
  const raw = `From: ${alice}\r\nSubject: Complete [${completeToken}]\r\n\r\nyes\r\n`;
  await host.context.queues.inbound.add('inbound', {
    inboundId: `raw-${prefix}`,
    source: 'imap',
    mailbox: MAILBOX,
    receivedAt: at(10),
    size: raw.length,
    rawBase64: Buffer.from(raw).toString('base64'),
    truncated: false,
  });

  return {
    host,
    baseUrl,
    hostWithoutAdmin,
    requestId,
    hostileRequestId,
    tokens,
    inbound,
    secrets: [ADMIN_PASSWORD, API_TOKEN, SIGNING_SECRET, ...tokens],
    async stop() {
      await Promise.allSettled(mailboxes.map((mailbox) => mailbox.close()));
      await Promise.allSettled([host.close(), hostWithoutAdmin.close()]);
      await Promise.allSettled([stack.stop(), redis.stop()]);
    },
  };
}
