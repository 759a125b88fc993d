import { JOB_IDS, parseDuration, type CompletionRequestInput, type TimerKind } from '@rc/contracts';
import type { TypedQueue } from '@rc/runtime';
import type { StoredRequest } from '@rc/store';

/** When each timer of a request is due (ms), from what the request asked for. */
export function timersDue(request: StoredRequest): { kind: TimerKind; dueAt: number }[] {
  const createdAt = Date.parse(request.createdAt);
  const expiresAt = Date.parse(request.expiresAt);
  const due: { kind: TimerKind; dueAt: number }[] = [];
  const after = (text: string | undefined) => (text ? parseDuration(text) : null);
  const remind = after(request.remindAfter);
  // A reminder or an escalation due at or after expiry would arrive too late to be answered.
  if (remind !== null && createdAt + remind < expiresAt)
    due.push({ kind: 'remind', dueAt: createdAt + remind });
  const escalate = after(request.escalateAfter);
  if (escalate !== null && request.escalateTo?.length && createdAt + escalate < expiresAt)
    due.push({ kind: 'escalate', dueAt: createdAt + escalate });
  if (request.onExpire && request.onExpire !== 'none')
    due.push({ kind: 'expire', dueAt: expiresAt });
  return due;
}

/**
 * Delayed jobs, due at moments counted from the request's creation (not from this attempt:
 * a retried send job must not push them later). BullMQ keeps them in Redis across restarts;
 * the deterministic jobId makes a retry or a second replica's attempt a no-op.
 */
export async function scheduleTimers(
  request: StoredRequest,
  queue: TypedQueue<'timers'>,
): Promise<void> {
  const now = Date.now();
  for (const { kind, dueAt } of timersDue(request)) {
    await queue.add(
      kind,
      { kind, requestId: request.requestId, dueAt: new Date(dueAt).toISOString() },
      { jobId: JOB_IDS.timer(kind, request.requestId), delay: Math.max(0, dueAt - now) },
    );
  }
}

/** The intake's 400 problems for the timer fields, beyond what the schema checks alone. */
export function timerProblems(input: CompletionRequestInput, expiresAt: number, now: number) {
  const problems: string[] = [];
  if (input.escalateAfter && !input.escalateTo?.length)
    problems.push('escalateTo: required with escalateAfter (who is added when nobody answered)');
  if (input.escalateTo?.length && !input.escalateAfter)
    problems.push('escalateAfter: required with escalateTo (when they are added)');
  for (const field of ['remindAfter', 'escalateAfter'] as const) {
    const text = input[field];
    const ms = text ? parseDuration(text) : null;
    if (ms !== null && now + ms >= expiresAt)
      problems.push(
        `${field}: ${text} is not before the request expires (${new Date(expiresAt).toISOString()})`,
      );
  }
  return problems;
}
