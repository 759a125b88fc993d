import type { AnswerAction, Assignee, RejectionReason } from '@rc/contracts';
import type { Decision, StoredRequest, VoteTally } from '@rc/store';

export interface Accepted {
  outcome: 'accepted';
  request: StoredRequest;
  /** the assignee the answer's token was minted for, as the request names them */
  assignee: Assignee;
  action: AnswerAction;
  comment: string;
  /** the votes so far, when this answer was counted without deciding (quorum) */
  tally?: VoteTally;
  /** whether From was proven (RC_REQUIRE_DMARC or RC_VERIFY_DKIM on, and passed) */
  authenticated: boolean;
}

/** A rejection and the facts a notice about it may tell. */
export interface Rejection {
  outcome: 'rejected';
  reason: RejectionReason;
  detail?: string;
  request?: StoredRequest;
  /** the decision that came first, for already_decided; the earlier vote, for already_voted */
  decision?: Decision;
  cancelledAt?: string;
  authenticated: boolean;
}

export type Verdict = Accepted | Rejection;

export type RejectionFacts = Partial<Pick<Rejection, 'request' | 'decision' | 'cancelledAt'>> & {
  authenticated?: boolean;
};

export function reject(
  reason: RejectionReason,
  detail?: string,
  facts: RejectionFacts = {},
): Rejection {
  const { authenticated = false, ...rest } = facts;
  return { outcome: 'rejected', reason, ...(detail ? { detail } : {}), ...rest, authenticated };
}

/** Where a request stands, as read before the claim or as the claim script found it. */
export interface Standing {
  cancelled: boolean;
  cancelledAt?: string;
  decision?: Decision;
}

/**
 * A request that is cancelled, or that another message decided, takes no answer. One mapping
 * for both places that learn it: the read before the claim (its precedence over `expired` and
 * `no_action`, docs/security.md step 14) and the claim itself (step 16, a race lost).
 */
export function standingRejection(
  standing: Standing,
  inboundId: string,
  request: StoredRequest,
  authenticated: boolean,
): Rejection | null {
  if (standing.cancelled) {
    const { cancelledAt } = standing;
    return reject('cancelled', cancelledAt ? `cancelled at ${cancelledAt}` : undefined, {
      request,
      authenticated,
      ...(cancelledAt ? { cancelledAt } : {}),
    });
  }
  const { decision } = standing;
  // The holder's own retry (same message) is not a second answer.
  if (!decision || decision.inboundId === inboundId) return null;
  return reject(
    'already_decided',
    `${decision.action} by ${decision.actor} at ${decision.decidedAt}`,
    { request, decision, authenticated },
  );
}
