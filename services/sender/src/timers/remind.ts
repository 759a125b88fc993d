import { metrics } from '@rc/runtime';
import { asJobError, mailRequestTo } from '../request-mail';
import type { TimerDeps } from './timer-deps';
import { timerStrings } from './timer-texts';

/**
 * One reminder to each assignee who was emailed and has not been reminded, while the request
 * is open. The state is read again before every email, so a decision or a cancellation that
 * lands while reminders go out stops the rest. A crash between SMTP's 250 and markReminded
 * can send one duplicate (same tokens, harmless), never a second round.
 */
export async function sendReminders(requestId: string, deps: TimerDeps): Promise<void> {
  const initial = await deps.store.getState(requestId);
  if (!initial) return;
  const texts = timerStrings(initial.request.locale).reminder;
  for (const assignee of initial.request.assignees) {
    const state = await deps.store.getState(requestId);
    if (!state || state.status !== 'pending' || Date.now() >= Date.parse(state.request.expiresAt)) {
      deps.logger.info({ requestId, status: state?.status }, 'request closed, no reminder');
      return;
    }
    const email = assignee.email;
    if (!(await deps.store.wasEmailSent(requestId, email))) continue;
    // with a quorum, an assignee who voted has answered (vote-store.ts)
    const voted = await deps.store.votes.list(requestId);
    if (voted.some((vote) => vote.actor.email === email)) continue;
    if (await deps.timers.store.wasReminded(requestId, email)) continue;
    try {
      await mailRequestTo(state.request, assignee, deps, {
        kind: 'reminder',
        attachments: [],
        variant: texts,
      });
    } catch (error) {
      metrics.emailsSent.inc({ kind: 'reminder', result: 'failed' });
      throw asJobError(error);
    }
    await deps.timers.store.markReminded(state.request, email);
    await deps.store.addEvent(state.request, {
      at: new Date().toISOString(),
      type: 'reminder_sent',
      actor: email,
    });
    metrics.emailsSent.inc({ kind: 'reminder', result: 'sent' });
    deps.logger.info({ requestId, to: email }, 'reminder sent');
  }
}
