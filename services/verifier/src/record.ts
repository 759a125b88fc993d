import { createHash, randomUUID } from 'node:crypto';
import type { AuditEvent, ErrorCode, InboundJob, InboundRecord } from '@rc/contracts';
import type { ParsedMessage } from '@rc/mail';
import { metrics } from '@rc/runtime';
import { maskAnswerTokens } from '@rc/tokens';
import type { InboundLog } from '@rc/store';
import type { VerifierDeps } from './deps';
import type { Accepted, Verdict } from './verdict';

/**
 * The last step: one record in the inbound log with the request's audit event, and, the first
 * time only, the metric and the log line. The log records a message once (in its script), so
 * a retry after a crash here adds nothing twice.
 */
export async function recordOutcome(
  verdict: Verdict,
  message: ParsedMessage | undefined,
  job: InboundJob,
  deps: VerifierDeps,
  now: Date,
): Promise<InboundRecord> {
  const rejected = verdict.outcome === 'rejected' ? verdict : undefined;
  const record: InboundRecord = {
    inboundId: job.inboundId,
    outcome: verdict.outcome,
    reason: rejected?.reason ?? null,
    // The inbound log is kept for weeks and shown by GET /v1/inbound: answer tokens quoted in
    // the subject (the mailto subject carries one) or a detail are kept out of it.
    ...(rejected?.detail ? { detail: maskAnswerTokens(rejected.detail) } : {}),
    from: message?.from?.address ?? null,
    subject: message ? maskAnswerTokens(message.subject) : null,
    messageId: message?.messageId ?? null,
    requestId: verdict.request?.requestId ?? null,
    taskId: verdict.request?.taskId ?? null,
    action: verdict.outcome === 'accepted' ? verdict.action : null,
    receivedAt: job.receivedAt,
    decidedAt: now.toISOString(),
  };
  const { request } = verdict;
  const audit = request && {
    request,
    event: {
      at: record.decidedAt,
      type: verdict.outcome === 'accepted' ? 'answer_accepted' : 'answer_rejected',
      ...(record.from ? { actor: record.from } : {}),
      detail:
        verdict.outcome === 'rejected'
          ? `${verdict.reason}${verdict.detail ? `: ${verdict.detail}` : ''}`
          : acceptedDetail(verdict),
      inboundId: job.inboundId,
    } satisfies AuditEvent,
  };
  // The record and the request's audit event in one step (one round trip, and no crash
  // between them can keep the one without the other).
  if (!(await deps.inboundLog.record(record, audit))) return record;
  metrics.inboundOutcomes.inc({ outcome: record.outcome, reason: record.reason ?? '' });
  deps.logger.info(
    {
      inboundId: job.inboundId,
      outcome: record.outcome,
      reason: record.reason,
      requestId: record.requestId,
      from: record.from,
    },
    'inbound message decided',
  );
  return record;
}

/** The action, and for a vote that did not decide, where the count stands. */
function acceptedDetail(verdict: Accepted): string {
  const { tally } = verdict;
  if (!tally) return verdict.action;
  const { complete, fail, quorum, assignees } = tally;
  return `${verdict.action}: vote counted (${complete} complete, ${fail} fail; quorum ${quorum} of ${assignees})`;
}

const text = (value: unknown, max: number): string | null =>
  typeof value === 'string' && value.length > 0 ? value.slice(0, max) : null;

const isoTime = (value: unknown): string | null => {
  const time = typeof value === 'string' ? Date.parse(value) : NaN;
  return Number.isNaN(time) ? null : new Date(time).toISOString();
};

/** A stable id for a payload without a usable inboundId: the same junk twice is one record. */
function junkId(data: unknown): string {
  try {
    const serialised = JSON.stringify(data) ?? String(data);
    return `unknown-${createHash('sha256').update(serialised).digest('hex').slice(0, 40)}`;
  } catch {
    return `unknown-${randomUUID()}`;
  }
}

/**
 * The outcome of a message the verifier gave up on (dead-lettered: retries exhausted, stalled
 * out, or a payload that breaks its contract), so that the inbound log still accounts for it.
 * The payload may be the very thing that broke the verifier, so nothing in it is trusted
 * beyond a few plain strings, cut to size.
 */
export async function recordProcessingFailure(
  inboundLog: InboundLog,
  data: unknown,
  error: unknown,
  code: ErrorCode = 'UNEXPECTED',
): Promise<void> {
  const job = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const now = new Date().toISOString();
  const message = typeof error === 'string' ? error : String(error);
  await inboundLog.record({
    inboundId: text(job.inboundId, 200) ?? junkId(data),
    outcome: 'rejected',
    reason: 'processing_failed',
    detail: `${code}: ${message}`.slice(0, 500),
    from: null,
    subject: null,
    messageId: null,
    requestId: null,
    taskId: null,
    receivedAt: isoTime(job.receivedAt) ?? now,
    decidedAt: now,
  });
}
