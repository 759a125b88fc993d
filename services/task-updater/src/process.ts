import { toTaskEvent, type UpdateJob } from '@rc/contracts';
import { metrics, PermanentJobError, type Logger } from '@rc/runtime';
import type { RequestStore } from '@rc/store';
import type { EngineAdapter } from './adapters/engine';

export interface UpdaterDeps {
  engine: EngineAdapter;
  store: RequestStore;
  logger: Logger;
}

/**
 * Tells the engine, then records it. A crash between the two re-sends on retry with the same
 * Idempotency-Key (requestId), which the engine treats as done; the task is never decided twice
 * because the verifier's claim admits one update job per request.
 */
export async function applyUpdate(update: UpdateJob, deps: UpdaterDeps): Promise<void> {
  const request = await deps.store.getStored(update.requestId);
  if (!request) throw new PermanentJobError(`request ${update.requestId} no longer exists`, 'REQUEST_GONE');
  const record = await deps.store.get(update.requestId);
  if (record?.decision?.appliedAt) {
    deps.logger.info({ requestId: update.requestId }, 'update already applied');
    return;
  }
  try {
    const result = await deps.engine.notify(toTaskEvent(update), request);
    metrics.engineCalls.inc({ engine: deps.engine.name, result: result === 'done' ? 'ok' : 'conflict' });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const permanent = error instanceof PermanentJobError;
    metrics.engineCalls.inc({ engine: deps.engine.name, result: permanent ? 'permanent' : 'retry' });
    await deps.store.addEvent(request, { at: new Date().toISOString(), type: 'engine_failed', detail: message });
    throw error;
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
  deps.logger.info({ requestId: update.requestId, taskId: update.taskId, action: update.action }, 'engine told');
}
