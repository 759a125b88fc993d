import { JOB_IDS, type UpdateJob } from '@rc/contracts';
import { countsVotes } from '@rc/store';
import type { TimerDeps } from './timer-deps';

/** Who the engine is told decided an expired request (SPEC 3.2 onExpire). */
export const SYSTEM_ACTOR = Object.freeze({ email: 'system', name: 'system' });

/** The claim id of a request's expiry: in the place of an answer's inboundId, one per request. */
export function expiryClaimId(requestId: string): string {
  return `expiry:${requestId}`;
}

/**
 * onExpire: the expiry decides like an answer would, through the same claim (first wins, so
 * never after a real decision or a cancellation, and never twice: a retry, another replica or
 * a restarted host finds its own claim by the same id) and the same update job (one per
 * request), which the task-updater applies exactly once.
 */
export async function expire(requestId: string, deps: TimerDeps): Promise<void> {
  const state = await deps.store.getState(requestId);
  if (!state) return;
  const { request } = state;
  const action = request.onExpire;
  if (!action || action === 'none') return;
  const inboundId = expiryClaimId(requestId);
  const now = new Date();
  const claim = await deps.store.claimDecision(request, {
    action,
    actor: SYSTEM_ACTOR.email,
    inboundId,
    decidedAt: now.toISOString(),
  });
  if (claim.result !== 'claimed') {
    deps.logger.info({ requestId, result: claim.result }, 'request closed before it expired');
    return;
  }
  const update: UpdateJob = {
    requestId,
    taskId: request.taskId,
    action,
    actor: { ...SYSTEM_ACTOR },
    comment: `Expired at ${request.expiresAt} without an answer; onExpire: ${action}.`,
    respondedAt: request.expiresAt,
    messageId: '',
    inboundId,
    // with a quorum the engine sees the votes cast before the expiry decided (SPEC 3.5)
    ...(countsVotes(request) ? { votes: await deps.store.votes.list(requestId) } : {}),
  };
  await deps.updateQueue.add('update', update, { jobId: JOB_IDS.update(requestId) });
  // Re-added by a retry after a crash between the two lines: the audit then says it twice.
  await deps.store.addEvent(request, {
    at: now.toISOString(),
    type: 'expired',
    actor: SYSTEM_ACTOR.email,
    detail: `onExpire: ${action}`,
    inboundId,
  });
  deps.logger.info({ requestId, action }, 'request expired; the engine will be told');
}
