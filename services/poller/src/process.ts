import { createHash } from 'node:crypto';
import { JOB_IDS, type InboundJob } from '@rc/contracts';
import { metrics, type TypedQueue } from '@rc/runtime';
import type { FetchedMessage, MailboxSource } from './adapters/mailbox-source';

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
  return {
    inboundId: inboundIdOf(message, source.kind),
    source: source.kind,
    mailbox: source.name,
    receivedAt: now.toISOString(),
    ...(message.arrivedAt ? { arrivedAt: message.arrivedAt.toISOString() } : {}),
    ...(message.sourceId !== undefined ? { sourceId: message.sourceId } : {}),
    size: message.size,
    rawBase64: message.source.toString('base64'),
    truncated: message.truncated,
  };
}

/**
 * One batch: fetch, queue, check the fence, and only then remove from the mailbox. The order
 * is the whole point: a crash before `addBulk` resolves leaves the mail in the mailbox for the
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
  const fetched = await source.fetch(pending, options.maxMessageBytes);
  const backlog = new Set(pending.filter((message) => message.backlog).map((m) => m.id));
  const now = new Date();
  const jobs = fetched.map((message) => {
    const data = toInboundJob(message, source, now);
    const jobId = JOB_IDS.inbound(data.inboundId);
    // BullMQ takes jobs without a priority before prioritized ones: backlog waits, fresh goes.
    const opts = backlog.has(message.id) ? { jobId, priority: BACKLOG_PRIORITY } : { jobId };
    return { name: 'inbound' as const, data, opts };
  });
  await inbound.addBulk(jobs);
  await options.beforeRemove?.();
  await source.remove(fetched.map((message) => message.id));
  const waiting = source.waitingCount?.();
  if (waiting !== undefined) metrics.mailboxPending.set(waiting);
  metrics.mailsFetched.inc({ source: source.kind }, fetched.length);
  for (const message of fetched) {
    if (message.arrivedAt)
      metrics.pickupLatency.observe(
        Math.max(0, now.getTime() - message.arrivedAt.getTime()) / 1000,
      );
  }
  return pending.length;
}
