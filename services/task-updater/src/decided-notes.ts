import { JOB_IDS, type SendNoticeJob, type UpdateJob } from '@rc/contracts';
import type { TypedQueue } from '@rc/runtime';
import { countsVotes, type Decision, type RequestStore, type StoredRequest } from '@rc/store';

/**
 * The update with every vote, when the request counts votes: the verifier's decisive answer
 * carries them; a decision without one (onExpire's, actor `system`) reads them from the store,
 * where nothing changes once the request is decided.
 */
export async function withVotes(
  update: UpdateJob,
  request: StoredRequest,
  store: RequestStore,
): Promise<UpdateJob> {
  if (update.votes || !countsVotes(request)) return update;
  return { ...update, votes: await store.votes.list(request.requestId) };
}

/**
 * "Decided by … at …" to every other assignee of a request that counts votes, once the engine
 * was told (RC_CONFIRMATION_NOTICES, the switch for emails about outcomes): their answer is no
 * longer needed and their links are dead. One job per assignee and request, whatever the retries.
 */
export async function queueDecidedNotes(
  update: UpdateJob,
  request: StoredRequest,
  decision: Decision | undefined,
  notices: TypedQueue<'send'> | undefined,
): Promise<void> {
  if (!notices || !countsVotes(request)) return;
  const { actor } = update;
  const decider = actor.email.toLowerCase();
  const others = request.assignees.filter((assignee) => assignee.email !== decider);
  for (const assignee of others) {
    const note: SendNoticeJob = {
      kind: 'notice',
      to: assignee.email,
      notice: {
        type: 'decided',
        request: {
          requestId: request.requestId,
          taskId: request.taskId,
          title: request.title,
          expiresAt: request.expiresAt,
          ...(request.locale ? { locale: request.locale } : {}),
        },
        decision: {
          action: update.action,
          actor: actor.name ? `${actor.name} <${actor.email}>` : actor.email,
          decidedAt: decision?.decidedAt ?? update.respondedAt,
        },
      },
    };
    await notices.add('notice', note, {
      jobId: JOB_IDS.decidedNotice(request.requestId, assignee.email),
    });
  }
}
