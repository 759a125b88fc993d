import { createHash } from 'node:crypto';
import { JOB_IDS, type InboundJob } from '@rc/contracts';
import { metrics, type TypedQueue } from '@rc/runtime';
import { RAW_INLINE_MAX_BYTES, RawMessageStore } from '@rc/store';
import type { FetchedMessage, MailboxSource, PendingMessage } from './adapters/mailbox-source';

/** The BullMQ priority of backlog mail (any value makes it wait behind unprioritized jobs). */
export const BACKLOG_PRIORITY = 10;

export interface SyncOptions {
  batchSize: number;
  maxMessageBytes: number;
  /**
   * The fence: resolves only while this poller is still the active one for the mailbox
   * (an atomic check of its lease's fencing token); rejects otherwise, and nothing is removed.
   */
  beforeRemove?: () => Promise<void>;
  /** where messages over RAW_INLINE_MAX_BYTES are stored; absent = beside the inbound queue */
  rawMessages?: RawMessageStore;
}

/**
 * The id of an inbound message, so that the same message fetched twice (a crash after queueing
 * but before removal, or two poller replicas racing) becomes one job. A source that names its
 * messages (Graph's immutable id) is deduped by that name: issue 8 asks two pollers on one Graph
 * mailbox to dedupe by message id, and `$value` is MIME that Exchange generates on each request,
 * which nothing promises to be byte-identical twice. Otherwise (IMAP) by a hash of the bytes,
 * which the server keeps as they arrived; that hash is the one earlier versions made, so a
 * message queued before an upgrade and fetched again after it is still one job.
 */
export function inboundIdOf(
  message: Pick<FetchedMessage, 'source' | 'size' | 'sourceId'>,
  kind: MailboxSource['kind'],
): string {
  const hash = createHash('sha256');
  if (message.sourceId !== undefined) hash.update(`${kind}:${message.sourceId}`);
  else hash.update(message.source).update(`:${message.size}`);
  return hash.digest('hex').slice(0, 40);
}

export function toInboundJob(
  message: FetchedMessage,
  source: MailboxSource,
  now: Date,
): InboundJob {
  const inboundId = inboundIdOf(message, source.kind);
  return {
    inboundId,
    source: source.kind,
    mailbox: source.name,
    receivedAt: now.toISOString(),
    ...(message.arrivedAt ? { arrivedAt: message.arrivedAt.toISOString() } : {}),
    ...(message.sourceId !== undefined ? { sourceId: message.sourceId } : {}),
    size: message.size,
    // A large message goes by reference: its bytes are stored apart (storeRawMessages) and the
    // job stays small, so neither the poller nor the verifier holds it as base64 and JSON.
    ...(storedApart(message)
      ? { rawRef: inboundId }
      : { rawBase64: message.source.toString('base64') }),
    truncated: message.truncated,
  };
}

function storedApart(message: FetchedMessage): boolean {
  return message.source.length > RAW_INLINE_MAX_BYTES;
}

/**
 * Stores the bytes of the jobs that name them, before the jobs are queued (a job must never
 * name bytes that are not there yet): one round trip for the batch, none when all are small.
 */
async function storeRawMessages(
  jobs: readonly { data: InboundJob; source: Buffer }[],
  inbound: TypedQueue<'inbound'>,
  rawMessages: RawMessageStore | undefined,
): Promise<void> {
  const stored = jobs.flatMap(({ data, source }) =>
    data.rawRef === undefined ? [] : [{ ref: data.rawRef, bytes: source }],
  );
  if (stored.length === 0) return;
  await (rawMessages ?? (await RawMessageStore.beside(inbound))).put(stored);
}

/**
 * Fetches and queues; returns what the removal and the metrics need and nothing of the bytes,
 * so a large message's Buffer is garbage while the mailbox removal runs and a verifier reads
 * the stored copy (in `pnpm start`, the same heap).
 */
async function fetchAndQueue(
  source: MailboxSource,
  inbound: TypedQueue<'inbound'>,
  pending: PendingMessage[],
  options: SyncOptions,
): Promise<{ queued: Pick<FetchedMessage, 'id' | 'arrivedAt'>[]; now: Date }> {
  const fetched = await source.fetch(pending, options.maxMessageBytes);
  const now = new Date();
  const backlog = new Set(pending.filter((message) => message.backlog).map((m) => m.id));
  const jobs = fetched.map((message) => {
    const data = toInboundJob(message, source, now);
    const jobId = JOB_IDS.inbound(data.inboundId);
    // BullMQ takes jobs without a priority before prioritized ones: backlog waits, fresh goes.
    const opts = backlog.has(message.id) ? { jobId, priority: BACKLOG_PRIORITY } : { jobId };
    return { name: 'inbound' as const, data, opts, source: message.source };
  });
  await storeRawMessages(jobs, inbound, options.rawMessages);
  await inbound.addBulk(jobs.map(({ name, data, opts }) => ({ name, data, opts })));
  return { queued: fetched.map(({ id, arrivedAt }) => ({ id, arrivedAt })), now };
}

/**
 * One batch: fetch, queue, check the fence, and only then remove from the mailbox. The order
 * is the whole point (a large message's bytes are stored before its job is queued, so no job
 * names bytes that are not in Redis): a crash before `addBulk` resolves leaves the mail in the mailbox for the
 * next sync; a crash after it leaves a duplicate that the jobId absorbs. A poller that lost its
 * place (a paused process, a partition from Redis) may still get as far as queueing — a
 * duplicate of what the active poller queues, absorbed by the same jobId (and by the
 * verifier's inbound record once the job is gone) — but the fence stops it before it deletes
 * or moves anything. The check and the removal are two systems, so the fence extends the
 * lease by a full TTL: the removal has that long before any other poller can become active.
 * Returns how many were handled.
 */
export async function syncBatch(
  source: MailboxSource,
  inbound: TypedQueue<'inbound'>,
  options: SyncOptions,
): Promise<number> {
  const pending = await source.list(options.batchSize);
  if (pending.length === 0) {
    metrics.mailboxPending.set(0);
    return 0;
  }
  const { queued, now } = await fetchAndQueue(source, inbound, pending, options);
  await options.beforeRemove?.();
  await source.remove(queued.map((message) => message.id));
  const waiting = source.waitingCount?.();
  if (waiting !== undefined) metrics.mailboxPending.set(waiting);
  metrics.mailsFetched.inc({ source: source.kind }, queued.length);
  for (const message of queued) {
    if (message.arrivedAt)
      metrics.pickupLatency.observe(
        Math.max(0, now.getTime() - message.arrivedAt.getTime()) / 1000,
      );
  }
  return pending.length;
}
