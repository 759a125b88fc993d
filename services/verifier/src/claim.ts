import { JOB_IDS, type UpdateJob } from '@rc/contracts';
import { normalizeAddress, type ParsedAddress, type ParsedMessage } from '@rc/mail';
import type { VerifierDeps } from './deps';
import { reject, standingRejection, type Accepted, type Verdict } from './verdict';

/**
 * When the person answered: their Date header, which their client sets, so never later than
 * the message reached our mailbox (a wrong clock or a forged Date cannot post-date it).
 */
export function respondedAt(date: string | null, arrivedAt: string): string {
  const sent = date ? Date.parse(date) : NaN;
  const arrived = Date.parse(arrivedAt);
  return Number.isNaN(sent) || sent > arrived ? arrivedAt : new Date(sent).toISOString();
}

export interface ClaimContext {
  inboundId: string;
  now: Date;
  /** when the message reached the mailbox (ms) */
  arrivedAt: number;
}

/**
 * Step 16, first answer wins: claim the request, then queue the update. A crash between the
 * two is safe: the retry of this message finds its own claim (same inboundId) and queues
 * again, and the jobId (one per request) keeps that to one update.
 */
export async function claimAndQueue(
  verdict: Accepted,
  message: ParsedMessage & { from: ParsedAddress },
  deps: VerifierDeps,
  context: ClaimContext,
): Promise<Verdict> {
  const { request, authenticated } = verdict;
  const actor = message.from.address;
  const claim = await deps.store.claimDecision(request, {
    action: verdict.action,
    actor,
    inboundId: context.inboundId,
    decidedAt: context.now.toISOString(),
  });
  if (claim.result === 'unknown_request')
    return reject('unknown_request', 'the request was removed before the claim', {
      request,
      authenticated,
    });
  // A cancellation or another answer that came between the read and the claim.
  const lost = standingRejection(
    claim.result === 'cancelled'
      ? { cancelled: true }
      : { cancelled: false, decision: claim.decision },
    context.inboundId,
    request,
    authenticated,
  );
  if (lost) return lost;
  const assignee = request.assignees.find(
    (candidate) => normalizeAddress(candidate.email) === actor,
  );
  const update: UpdateJob = {
    requestId: request.requestId,
    taskId: request.taskId,
    // a retry after a crash acts as the claim holds it
    action: claim.result === 'claimed' ? claim.decision.action : verdict.action,
    // The name the engine gave the assignee wins over the mail's display name, which the
    // sender chooses freely ("CFO" <alice@corp.example>) and must not reach the audit trail.
    actor: { email: actor, name: assignee?.name || message.from.name || '' },
    comment: verdict.comment,
    respondedAt: respondedAt(message.date, new Date(context.arrivedAt).toISOString()),
    messageId: message.messageId ?? '',
    inboundId: context.inboundId,
    arrivedAt: new Date(context.arrivedAt).toISOString(),
  };
  await deps.updateQueue.add('update', update, { jobId: JOB_IDS.update(request.requestId) });
  return { ...verdict, action: update.action };
}
