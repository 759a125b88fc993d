import { createHash, randomBytes } from 'node:crypto';
import type { CompletionRequestInput, InboundJob, SendJob, UpdateJob } from '@rc/contracts';
import { buildAnswerTemplate } from '@rc/mail';
import { createLogger, createQueue, createRedis, type Redis, type TypedQueue } from '@rc/runtime';
import { InboundLog, RequestStore, storedRequestFromJob, type StoredRequest } from '@rc/store';
import type { RedisServer } from '@rc/testkit';
import {
  mintAnswerToken,
  newAnswerRef,
  parseSigningKeys,
  signedMessageId,
  type SigningKeyring,
} from '@rc/tokens';
import type { VerifierDeps } from '../src/process';

export const MAILBOX = 'approvals@rc.example';
export const AUTHSERV_ID = 'mx.rc.example';

/**
 * The verifier's real collaborators on a real Redis, under a fresh prefix: the request store,
 * the inbound log, the update and send queues. Tests build deps from it and read back what
 * the verifier wrote.
 */
export interface Harness {
  redis: Redis;
  prefix: string;
  keyring: SigningKeyring;
  store: RequestStore;
  inboundLog: InboundLog;
  updateQueue: TypedQueue<'update'>;
  sendQueue: TypedQueue<'send'>;
  deps(overrides?: DepsOverrides): VerifierDeps;
  /** a stored request with one answer ref per assignee, and the tokens that were mailed */
  request(
    assignees: { email: string; name?: string }[],
    options?: RequestOptions,
  ): Promise<SeededRequest>;
  updates(): Promise<UpdateJob[]>;
  notices(): Promise<Extract<SendJob, { kind: 'notice' }>[]>;
  close(): Promise<void>;
}

/** the request's optional fields a test may set (expiry, title, the approval rules) */
export type RequestOptions = Partial<
  Pick<
    CompletionRequestInput,
    | 'expiresAt'
    | 'title'
    | 'quorum'
    | 'failPolicy'
    | 'requester'
    | 'allowSelfApproval'
    | 'requireReasonOnFail'
  >
>;

export type DepsOverrides = Partial<Omit<VerifierDeps, 'settings'>> & {
  settings?: Partial<VerifierDeps['settings']>;
};

export interface SeededRequest {
  request: StoredRequest;
  tokens: Map<string, { complete: string; fail: string; messageId: string }>;
}

let counter = 0;

export async function createHarness(
  server: RedisServer,
  keys = `k1:${'ab'.repeat(24)}`,
): Promise<Harness> {
  const redis = createRedis(server.url, 'client');
  const prefix = `vt${randomBytes(4).toString('hex')}`;
  const keyring = parseSigningKeys(keys).keyring!;
  const store = new RequestStore(redis, prefix);
  const inboundLog = new InboundLog(redis, prefix);
  const retry = { attempts: 1, baseDelayMs: 100 };
  const updateQueue = createQueue('update', redis, prefix, retry);
  const sendQueue = createQueue('send', redis, prefix, retry);
  const logger = createLogger({ service: 'verifier-test', level: 'silent' });
  return {
    redis,
    prefix,
    keyring,
    store,
    inboundLog,
    updateQueue,
    sendQueue,
    deps(overrides = {}) {
      const { settings, ...rest } = overrides;
      return {
        keyring,
        store,
        inboundLog,
        updateQueue,
        logger,
        settings: {
          mailboxAddress: MAILBOX,
          mailFrom: MAILBOX,
          maxMessageBytes: 2_097_152,
          whitelist: {
            enabled: true,
            domains: ['corp.example', '*.corp.example', 'bücher.example', 'partner.example'],
          },
          requireDmarc: false,
          verifyDkim: false,
          ...settings,
        },
        ...rest,
      };
    },
    async request(assignees, options = {}) {
      counter += 1;
      const requestId = `vreq-${counter}-${randomBytes(3).toString('hex')}`;
      const request = storedRequestFromJob(
        {
          kind: 'request',
          request: {
            requestId,
            taskId: `Applications/Release1/Phase1/Task${counter}`,
            assignees,
            ...options,
            title: options.title ?? `Approve deploy ${counter}`,
          },
          requestedAt: new Date().toISOString(),
        },
        86_400_000,
      );
      await store.create(request);
      const tokens = new Map<string, { complete: string; fail: string; messageId: string }>();
      for (const assignee of request.assignees) {
        const ref = await store.answerRefFor(request, assignee.email, newAnswerRef);
        tokens.set(assignee.email, {
          complete: mintAnswerToken(keyring, 'complete', ref),
          fail: mintAnswerToken(keyring, 'fail', ref),
          messageId: signedMessageId(keyring, ref, 'rc.example'),
        });
      }
      return { request, tokens };
    },
    async updates() {
      return (
        await updateQueue.getJobs(['waiting', 'delayed', 'prioritized', 'active', 'completed'])
      ).map((job) => job.data);
    },
    async notices() {
      const jobs = await sendQueue.getJobs([
        'waiting',
        'delayed',
        'prioritized',
        'active',
        'completed',
      ]);
      return jobs
        .map((job) => job.data)
        .filter((data): data is Extract<SendJob, { kind: 'notice' }> => data.kind === 'notice');
    },
    async close() {
      await updateQueue.obliterate({ force: true }).catch(() => undefined);
      await sendQueue.obliterate({ force: true }).catch(() => undefined);
      await Promise.allSettled([updateQueue.close(), sendQueue.close()]);
      await redis.quit();
    },
  };
}

/** An inbound job as the poller would queue it. */
export function inboundJob(raw: Buffer | string, extra: Partial<InboundJob> = {}): InboundJob {
  const bytes = Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'utf8');
  counter += 1;
  return {
    inboundId: createHash('sha256')
      .update(bytes)
      .update(String(counter))
      .digest('hex')
      .slice(0, 40),
    source: 'imap',
    mailbox: MAILBOX,
    receivedAt: new Date().toISOString(),
    size: bytes.length,
    rawBase64: bytes.toString('base64'),
    truncated: false,
    ...extra,
  };
}

export interface AnswerOptions {
  from: string;
  token?: string;
  action?: 'complete' | 'fail';
  comment?: string;
  headers?: string[];
  subject?: string;
  body?: string;
  messageId?: string;
}

/** A button answer as a mail client sends it: the pre-filled subject and body, a comment on top. */
export function buttonAnswer(options: AnswerOptions): string {
  const template = options.token
    ? buildAnswerTemplate({
        action: options.action ?? 'complete',
        token: options.token,
        title: 'Approve deploy',
      })
    : { subject: 'Hello', body: '' };
  counter += 1;
  return [
    `From: ${options.from}`,
    `To: ${MAILBOX}`,
    `Subject: ${options.subject ?? template.subject}`,
    `Date: ${new Date().toUTCString()}`,
    `Message-ID: ${options.messageId ?? `<answer-${counter}-${randomBytes(4).toString('hex')}@corp.example>`}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    ...(options.headers ?? []),
    '',
    options.body ?? `${options.comment ?? 'Looks good.'}${template.body}`,
  ].join('\r\n');
}
