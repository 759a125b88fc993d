import { toTaskEvent, type SendNoticeJob, type UpdateJob } from '@rc/contracts';
import { metrics, PermanentJobError, type Logger, type TypedQueue } from '@rc/runtime';
import type { RequestStore, StoredRequest } from '@rc/store';
import type { EngineAdapter } from './adapters/engine';

export interface UpdaterDeps {
  engine: EngineAdapter;
  store: RequestStore;
  logger: Logger;
  /** RC_CONFIRMATION_NOTICES: the send queue to tell the answerer that the engine was told */
  confirmations?: TypedQueue<'send'>;
}

/** The confirmation email: also the alarm bell if someone answered in this person's name. */
export function renderConfirmation(
  update: UpdateJob,
  request: StoredRequest,
  engine: 'done' | 'already_done',
): SendNoticeJob {
  const done = update.action === 'complete' ? 'completed' : 'failed';
  const text = [
    'Hello,',
    '',
    engine === 'done'
      ? `your answer was applied: the task "${request.title}" (task ${request.taskId}) was marked ${done} in the release engine.`
      : `your answer to "${request.title}" (task ${request.taskId}) was recorded; the release engine reports that the task had already been closed.`,
    ...(update.comment ? ['', 'Your comment:', update.comment] : []),
    '',
    'If you did not send this answer, tell your release team at once.',
    '',
    'This message was sent automatically by the remote completion service.',
    '',
  ].join('\n');
  return {
    kind: 'notice',
    notice: 'confirmation',
    to: update.actor.email,
    requestId: update.requestId,
    subject:
      engine === 'done'
        ? `${done === 'completed' ? 'Completed' : 'Failed'}: ${request.title}`
        : `Recorded: ${request.title}`,
    text,
    ...(update.messageId ? { inReplyTo: update.messageId } : {}),
  };
}

/**
 * Tells the engine, then records it. A crash between the two re-sends on retry with the same
 * Idempotency-Key (requestId), which the engine treats as done; the task is never decided twice
 * because the verifier's claim admits one update job per request.
 */
export async function applyUpdate(update: UpdateJob, deps: UpdaterDeps): Promise<void> {
  const request = await deps.store.getStored(update.requestId);
  if (!request)
    throw new PermanentJobError(`request ${update.requestId} no longer exists`, 'REQUEST_GONE');
  const record = await deps.store.get(update.requestId);
  if (record?.decision?.appliedAt) {
    deps.logger.info({ requestId: update.requestId }, 'update already applied');
    return;
  }
  let result: 'done' | 'already_done';
  try {
    result = await deps.engine.notify(toTaskEvent(update), request);
    metrics.engineCalls.inc({
      engine: deps.engine.name,
      result: result === 'done' ? 'ok' : 'conflict',
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof PermanentJobError;
    metrics.engineCalls.inc({
      engine: deps.engine.name,
      result: permanent ? 'permanent' : 'retry',
    });
    await deps.store.addEvent(request, {
      at: new Date().toISOString(),
      type: 'engine_failed',
      detail: message,
    });
    throw error;
  }
  // Queued before markApplied: a crash in between retries the job, and the jobId keeps the
  // confirmation to one; after markApplied a retry stops early and would never send it.
  if (deps.confirmations) {
    await deps.confirmations.add('notice', renderConfirmation(update, request, result), {
      jobId: `notice-confirmation-${update.requestId}`,
    });
  }
  const appliedAt = new Date().toISOString();
  await deps.store.markApplied(request, appliedAt);
  await deps.store.addEvent(request, {
    at: appliedAt,
    type: 'engine_notified',
    actor: update.actor.email,
    detail: `${deps.engine.name}: ${update.action}`,
    inboundId: update.inboundId,
  });
  deps.logger.info(
    { requestId: update.requestId, taskId: update.taskId, action: update.action },
    'engine told',
  );
}
