import type { InboundJob, InboundRecord } from '@rc/contracts';
import { PermanentJobError } from '@rc/runtime';
import { RawMessageStore } from '@rc/store';
import type { VerifierDeps } from './deps';

export interface DecodedInbound {
  raw: Buffer;
  /** why the message is too large to parse whole (docs/security.md step 1), or null */
  oversize: string | null;
  /** when the message reached the mailbox (ms), as its stamp says */
  arrivedAt: number;
  /** the latest it can have arrived (ms): expiry is judged by it */
  arrivedBy: number;
}

/** Step 1: the raw bytes, their size against RC_MAX_MESSAGE_BYTES, and the arrival time. */
export async function decodeInbound(
  job: InboundJob,
  deps: Pick<VerifierDeps, 'settings' | 'rawMessages' | 'updateQueue'>,
  now: Date,
): Promise<DecodedInbound> {
  const { maxMessageBytes } = deps.settings;
  const raw = await rawBytesOf(job, deps);
  const size = Math.max(job.size, raw.length);
  const oversize =
    job.truncated || size > maxMessageBytes ? `${size} bytes, limit ${maxMessageBytes}` : null;
  const arrivedAt = arrivalTime(job, now);
  return { raw, oversize, arrivedAt, arrivedBy: latestArrival(job, arrivedAt, now) };
}

/**
 * The message's bytes: inline, or read as one Buffer from where the poller stored them. Bytes
 * that are gone (past their expiry, deleted by hand) fail the job for good with a coded error:
 * it is dead-lettered and recorded as `processing_failed`, never parsed as an empty message.
 */
async function rawBytesOf(
  job: InboundJob,
  deps: Pick<VerifierDeps, 'rawMessages' | 'updateQueue'>,
): Promise<Buffer> {
  if (job.rawRef === undefined) return Buffer.from(job.rawBase64 ?? '', 'base64');
  const raw = await (await rawMessageStore(deps)).get(job.rawRef);
  if (raw) return raw;
  throw new PermanentJobError(
    `the raw message ${job.rawRef} is no longer in Redis (expired or deleted): nothing to verify`,
    'PAYLOAD_INVALID',
  );
}

/**
 * Once a message has its final outcome its stored bytes go. Not after `processing_failed`: a
 * dead letter that `rc dlq replay` verifies again needs them (their expiry bounds them then).
 */
export async function releaseInbound(
  job: InboundJob,
  record: InboundRecord,
  deps: Pick<VerifierDeps, 'rawMessages' | 'updateQueue'>,
): Promise<InboundRecord> {
  if (job.rawRef !== undefined && record.reason !== 'processing_failed')
    await (await rawMessageStore(deps)).delete(job.rawRef);
  return record;
}

/** The service names the store (service.ts); callers without one (tests) use the queues' own. */
function rawMessageStore(
  deps: Pick<VerifierDeps, 'rawMessages' | 'updateQueue'>,
): Promise<RawMessageStore> | RawMessageStore {
  return deps.rawMessages ?? RawMessageStore.beside(deps.updateQueue);
}

/**
 * When the answer reached the mailbox: its arrival there (IMAP INTERNALDATE, Graph
 * receivedDateTime), not when the poller picked it up, so RC_STARTUP_DELAY or a poller outage
 * expires no answer that came in time. Capped at pickup and at now: a mailbox clock or a source
 * that says "later" cannot post-date an answer past its expiry.
 */
export function arrivalTime(job: Pick<InboundJob, 'receivedAt' | 'arrivedAt'>, now: Date): number {
  const pickedUp = Date.parse(job.receivedAt);
  const latest = Number.isNaN(pickedUp) ? now.getTime() : Math.min(pickedUp, now.getTime());
  const arrived = job.arrivedAt ? Date.parse(job.arrivedAt) : NaN;
  return Number.isNaN(arrived) ? latest : Math.min(arrived, latest);
}

/**
 * The latest moment the answer can have reached the mailbox, for the expiry check. Mailbox
 * stamps name whole seconds (RFC 3501 date-time; Graph's receivedDateTime has no fraction): a
 * message stamped 12:00:07 arrived by 12:00:07.999. Judging by the end of that second means an
 * answer that came after the expiry is never accepted; the cost is that one arriving in the same
 * second just before it may be refused as expired. Capped at pickup, as the arrival is.
 */
export function latestArrival(
  job: Pick<InboundJob, 'receivedAt' | 'arrivedAt'>,
  arrivedAt: number,
  now: Date,
): number {
  const stamped = job.arrivedAt ? Date.parse(job.arrivedAt) : NaN;
  if (Number.isNaN(stamped) || stamped % 1000 !== 0 || arrivedAt !== stamped) return arrivedAt;
  return Math.min(stamped + 999, arrivalTime({ receivedAt: job.receivedAt }, now));
}
