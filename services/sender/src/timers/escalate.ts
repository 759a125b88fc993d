import { mailAttachmentsOf } from '../attachments';
import { emailUnsentAssignees } from '../request-mail';
import type { TimerDeps } from './timer-deps';
import { timerStrings } from './timer-texts';

/**
 * Nobody answered within escalateAfter: escalateTo join the assignees (recorded once in the
 * request, with its audit event, atomically) and get the request email with its attachments.
 * A retry after a crash finds the escalation recorded and emails whoever is still unsent.
 */
export async function escalate(requestId: string, deps: TimerDeps): Promise<void> {
  const state = await deps.store.getState(requestId);
  if (!state) return;
  const { request } = state;
  if (!request.escalateAfter || !request.escalateTo?.length) return;
  if (state.status !== 'pending' || Date.now() >= Date.parse(request.expiresAt)) {
    deps.logger.info({ requestId, status: state.status }, 'request closed, no escalation');
    return;
  }
  // "nobody answered": with a quorum, a vote cast is an answer
  if ((await deps.store.votes.list(requestId)).length > 0) {
    deps.logger.info({ requestId }, 'someone voted, no escalation');
    return;
  }
  const escalated = await deps.timers.store.escalate(requestId, {
    at: new Date().toISOString(),
    after: request.escalateAfter,
    assignees: request.escalateTo,
  });
  if (escalated.result === 'closed' || escalated.result === 'not_found') return;
  const current = await deps.store.getStored(requestId);
  if (!current) return;
  // only those still named: a reassignment since may have removed someone the escalation added
  const named = new Set(current.assignees.map((assignee) => assignee.email));
  const added = escalated.escalation.assignees.filter((assignee) => named.has(assignee.email));
  if (escalated.result === 'escalated')
    deps.logger.info({ requestId, added: added.length }, 'request escalated');
  const texts = timerStrings(current.locale).escalation;
  await emailUnsentAssignees(current, added, deps, {
    kind: 'escalation',
    attachments: mailAttachmentsOf(await deps.timers.store.attachments(requestId)),
    variant: { subjectPrefix: texts.subjectPrefix, lead: texts.lead(escalated.escalation.after) },
  });
}
