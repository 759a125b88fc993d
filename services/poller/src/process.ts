import { createHash } from 'node:crypto';
import type { InboundJob } from '@rc/contracts';
import { metrics, type TypedQueue } from '@rc/runtime';
import type { FetchedMessage, MailboxSource } from './adapters/mailbox-source';

export interface SyncOptions {
  batchSize: number;
  maxMessageBytes: number;
}

/**
 * The id of an inbound message is a hash of its bytes: the same message fetched twice (a
 * crash after queueing but before removal, or two poller replicas racing) becomes one job.
 */
export function inboundIdOf(message: Pick<FetchedMessage, 'source' | 'size'>): string {
  return createHash('sha256')
    .update(message.source)
    .update(`:${message.size}`)
    .digest('hex')
    .slice(0, 40);
}

export function toInboundJob(
  message: FetchedMessage,
  source: MailboxSource,
  now: Date,
): InboundJob {
  return {
    inboundId: inboundIdOf(message),
    source: source.kind,
    mailbox: source.name,
    receivedAt: now.toISOString(),
    size: message.size,
    rawBase64: message.source.toString('base64'),
    truncated: message.truncated,
  };
}

/**
 * One batch: fetch, queue, and only then remove from the mailbox. The order is the whole
 * point: a crash before `addBulk` resolves leaves the mail in the mailbox for the next sync;
 * a crash after it leaves a duplicate that the jobId absorbs. Returns how many were handled.
 */
export async function syncBatch(
  source: MailboxSource,
  inbound: TypedQueue<'inbound'>,
  options: SyncOptions,
): Promise<number> {
  const pending = await source.list(options.batchSize);
  if (pending.length === 0) return 0;
  const fetched = await source.fetch(pending, options.maxMessageBytes);
  const now = new Date();
  const jobs = fetched.map((message) => {
    const data = toInboundJob(message, source, now);
    return { name: 'inbound', data, opts: { jobId: data.inboundId } };
  });
  await inbound.addBulk(jobs);
  await source.remove(fetched.map((message) => message.id));
  metrics.mailsFetched.inc({ source: source.kind }, fetched.length);
  for (const message of fetched) {
    if (message.arrivedAt)
      metrics.pickupLatency.observe(
        Math.max(0, now.getTime() - message.arrivedAt.getTime()) / 1000,
      );
  }
  return pending.length;
}
