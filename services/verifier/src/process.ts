import type { InboundJob, InboundRecord } from '@rc/contracts';
import { headerSection, parseInboundMessage, type ParsedMessage } from '@rc/mail';
import { claimAndQueue } from './claim';
import { decide } from './decide';
import { decodeInbound, releaseInbound } from './decode';
import type { VerifierDeps } from './deps';
import { recordOutcome } from './record';
import { reject, type Verdict } from './verdict';

export { TemporaryVerifyError } from './authenticate';
export { respondedAt } from './claim';
export { recordProcessingFailure } from './record';
export type { VerifierDeps, VerifierSettings } from './deps';

export interface VerifyOptions {
  /**
   * Whether this is the job's last attempt. A temporary failure (a DKIM key lookup that timed
   * out) is retried by throwing, except on the last attempt, where it becomes an outcome:
   * every email ends in one. Absent = last attempt.
   */
  finalAttempt?: boolean;
}

/**
 * Verifies one inbound message and records exactly one outcome for it:
 * decode → parse → decide → claim → notify → record (docs/security.md, steps 1–16).
 *
 * Safe to run twice for the same message (a retry after a crash). The record is the last
 * step, so a message that has one had every side effect before it: the retry returns it and
 * does nothing else (deciding again could differ, e.g. a rate-limit window that has slid). A
 * crash before the record repeats the steps, each keyed by the message: the claim recognises
 * its holder and the update is queued again under its one jobId, the rate limit counts the
 * message once, the notice keeps its one jobId. `processing_failed` is the exception: a
 * replayed dead letter is verified again.
 */
export async function verifyInbound(
  job: InboundJob,
  deps: VerifierDeps,
  options: VerifyOptions = {},
): Promise<InboundRecord> {
  const previous = await deps.inboundLog.recordOf(job.inboundId);
  if (previous && previous.reason !== 'processing_failed')
    return releaseInbound(job, previous, deps);
  const now = deps.now?.() ?? new Date();

  const { raw, oversize, arrivedAt, arrivedBy } = await decodeInbound(job, deps, now);
  // An oversize message is never parsed whole: its header section is enough for the record.
  const parsed = await parseInboundMessage(oversize ? headerSection(raw) : raw);
  const message: ParsedMessage | undefined = parsed.ok ? parsed.message : undefined;

  let verdict: Verdict;
  if (oversize) verdict = reject('too_large', oversize);
  else if (!parsed.ok) verdict = reject('malformed', parsed.detail);
  else
    verdict = await decide(parsed.message, deps, {
      inboundId: job.inboundId,
      now,
      arrivedAt,
      arrivedBy,
      raw,
      finalAttempt: options.finalAttempt ?? true,
    });

  const from = message?.from;
  if (verdict.outcome === 'accepted' && message && from) {
    verdict = await claimAndQueue(verdict, { ...message, from }, deps, {
      inboundId: job.inboundId,
      now,
      arrivedAt,
    });
  }
  if (verdict.outcome === 'rejected' && deps.rejectionNotices && message && from) {
    await deps.rejectionNotices.send(
      { rejection: verdict, from: from.address, messageId: message.messageId },
      job.inboundId,
    );
  }
  return releaseInbound(job, await recordOutcome(verdict, message, job, deps, now), deps);
}
