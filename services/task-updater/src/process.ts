import {
  JOB_IDS,
  toTaskEvent,
  type NoticeRequest,
  type SendNoticeJob,
  type UpdateJob,
} from '@rc/contracts';
import { metrics, PermanentJobError, type Logger, type TypedQueue } from '@rc/runtime';
import type { RequestStore, StoredRequest } from '@rc/store';
import type { EngineAdapter, EngineResult } from './engines/engine';
import { queueDecidedNotes, withVotes } from './decided-notes';

export interface UpdaterDeps {
  engine: EngineAdapter;
  store: RequestStore;
  logger: Logger;
  /** RC_CONFIRMATION_NOTICES: the send queue to tell the answerer that the engine was told */
  confirmations?: TypedQueue<'send'>;
}

/**
 * The facts of a confirmation (the sender renders them in the request's locale): also the alarm
 * bell if someone answered in this person's name.
 */
export function confirmationNotice(
  update: UpdateJob,
  request: StoredRequest,
  engineResult: EngineResult,
): SendNoticeJob {
  const about: NoticeRequest = {
    requestId: request.requestId,
    taskId: request.taskId,
    title: request.title,
    expiresAt: request.expiresAt,
    ...(request.locale ? { locale: request.locale } : {}),
  };
  return {
    kind: 'notice',
    to: update.actor.email,
    ...(update.messageId ? { inReplyTo: update.messageId } : {}),
    notice: {
      type: 'confirmation',
      request: about,
      action: update.action,
      engineResult,
      comment: update.comment,
    },
  };
}

async function tellEngine(
  update: UpdateJob,
  request: StoredRequest,
  deps: UpdaterDeps,
): Promise<EngineResult> {
  const engine = deps.engine.name;
  try {
    // An escalation (sender's timers) is part of what the engine is told: who was added, when.
    const event = {
      ...toTaskEvent(update),
      ...(request.escalation ? { escalation: request.escalation } : {}),
    };
    const result = await deps.engine.notify(event, request);
    metrics.engineCalls.inc({ engine, result: result === 'done' ? 'ok' : 'conflict' });
    if (update.arrivedAt) {
      const seconds = (Date.now() - Date.parse(update.arrivedAt)) / 1000;
      if (seconds >= 0) metrics.endToEndLatency.observe(seconds);
    }
    return result;
  } catch (error) {
    const permanent = error instanceof PermanentJobError;
    metrics.engineCalls.inc({ engine, result: permanent ? 'permanent' : 'retry' });
    await deps.store.addEvent(request, {
      at: new Date().toISOString(),
      type: 'engine_failed',
      detail: error instanceof Error ? error.message : String(error),
    });
    throw error;
  }
}

/**
 * Tells the engine, then records it. A crash between the two re-sends on retry with the same
 * Idempotency-Key (requestId), which the engine treats as done; the task is never decided twice
 * because the verifier's claim admits one update job per request.
 */
export async function applyUpdate(job: UpdateJob, deps: UpdaterDeps): Promise<void> {
  const state = await deps.store.getState(job.requestId);
  if (!state)
    throw new PermanentJobError(`request ${job.requestId} no longer exists`, 'REQUEST_GONE');
  const { request, decision } = state;
  const update = await withVotes(job, request, deps.store);
  if (decision?.appliedAt) {
    deps.logger.info({ requestId: update.requestId }, 'update already applied');
    return;
  }
  const result = await tellEngine(update, request, deps);
  // Queued before markApplied: a crash in between retries the job, and the jobId keeps the
  // confirmation to one; after markApplied a retry stops early and would never send it.
  // An expiry's actor is `system` (onExpire): there is nobody to confirm it to.
  if (update.actor.email !== 'system')
    await deps.confirmations?.add('notice', confirmationNotice(update, request, result), {
      jobId: JOB_IDS.confirmationNotice(update.requestId),
    });
  await queueDecidedNotes(update, request, decision, deps.confirmations);
  const appliedAt = new Date().toISOString();
  // The audit event in the same step as appliedAt: one round trip, and a crash between the two
  // can no longer lose the event (the retry stops early at appliedAt).
  await deps.store.markApplied(request, appliedAt, {
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
