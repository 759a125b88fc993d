import type { TimerJob } from '@rc/contracts';
import { escalate } from './escalate';
import { expire } from './expire';
import { sendReminders } from './remind';
import type { TimerDeps } from './timer-deps';

/** A due timer of one request. Each handler reads the request's state first and is idempotent. */
export async function processTimerJob(job: TimerJob, deps: TimerDeps): Promise<void> {
  const lateSeconds = (Date.now() - Date.parse(job.dueAt)) / 1000;
  deps.logger.debug({ requestId: job.requestId, kind: job.kind, lateSeconds }, 'timer due');
  switch (job.kind) {
    case 'remind':
      return sendReminders(job.requestId, deps);
    case 'escalate':
      return escalate(job.requestId, deps);
    case 'expire':
      return expire(job.requestId, deps);
  }
}
