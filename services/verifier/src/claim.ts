import { JOB_IDS, type UpdateJob } from '@rc/contracts';
import type { ParsedAddress, ParsedMessage } from '@rc/mail';
import { countsVotes } from '@rc/store';
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
 * Step 16: count the answer as its assignee's one vote, atomically with the decision (without
 * a quorum the first vote decides: first answer wins), then queue the update if it decided. A
 * crash between the two is safe: the retry of this message finds its own vote or decision
 * (same inboundId) and queues again, and the jobId (one per request) keeps that to one update.
 */
export async function claimAndQueue(
  verdict: Accepted,
  message: ParsedMessage & { from: ParsedAddress },
  deps: VerifierDeps,
  context: ClaimContext,
): Promise<Verdict> {
  const { request, assignee, authenticated } = verdict;
  const answeredAt = respondedAt(message.date, new Date(context.arrivedAt).toISOString());
  // The name the engine gave the assignee wins over the mail's display name, which the
  // sender chooses freely ("CFO" <alice@corp.example>) and must not reach the audit trail.
  const name = assignee.name || message.from.name || '';
  const vote = await deps.store.votes.cast(request, {
    voter: assignee.email,
    name,
    action: verdict.action,
    comment: verdict.comment,
    respondedAt: answeredAt,
    inboundId: context.inboundId,
    countedAt: context.now.toISOString(),
  });
  const facts = { request, authenticated };
  switch (vote.result) {
    case 'unknown_request':
      return reject('unknown_request', 'the request was removed before the claim', facts);
    case 'revoked':
      return reject('revoked', 'removed by a reassignment before the answer was counted', facts);
    case 'already_voted': {
      const first = vote.vote;
      return reject('already_voted', `${first.action} at ${first.respondedAt} counts`, {
        ...facts,
        decision: {
          action: first.action,
          actor: first.actor.email,
          inboundId: first.inboundId,
          decidedAt: first.respondedAt,
        },
      });
    }
    case 'counted':
      return { ...verdict, tally: vote.tally };
    case 'cancelled':
    case 'already_decided': {
      // A cancellation or another answer that came between the read and the claim.
      const standing =
        vote.result === 'cancelled'
          ? { cancelled: true }
          : { cancelled: false, decision: vote.decision };
      const lost = standingRejection(standing, context.inboundId, request, authenticated);
      if (lost) return lost;
      throw new Error(`request ${request.requestId}: a decision without its holder`);
    }
  }
  const update: UpdateJob = {
    requestId: request.requestId,
    taskId: request.taskId,
    // as the decision holds it: a retry after a crash acts as the first attempt decided
    action: vote.decision.action,
    actor: { email: message.from.address, name },
    comment: verdict.comment,
    respondedAt: answeredAt,
    messageId: message.messageId ?? '',
    inboundId: context.inboundId,
    arrivedAt: new Date(context.arrivedAt).toISOString(),
    ...(countsVotes(request) ? { votes: vote.votes } : {}),
  };
  await deps.updateQueue.add('update', update, { jobId: JOB_IDS.update(request.requestId) });
  return { ...verdict, action: update.action };
}
