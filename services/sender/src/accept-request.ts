import { randomUUID } from 'node:crypto';
import { completionRequestInputSchema, JOB_IDS, type SendRequestJob } from '@rc/contracts';
import { metrics, type TypedQueue } from '@rc/runtime';
import { storedRequestFromJob, type RequestStore, type TimerStore } from '@rc/store';
import { withoutAttachments } from './attachments';
import { problemsOf, semanticProblems, type RequestCheckConfig } from './request-checks';

export interface AcceptDeps {
  config: RequestCheckConfig;
  store: RequestStore;
  sendQueue: TypedQueue<'send'>;
  /** where attachments are kept, once (attachments.ts); absent: they travel in the job */
  timerStore?: TimerStore;
}

export type Accepted =
  | { ok: true; requestId: string; created: 'created' | 'exists' }
  | { ok: false; problems: string[] };

/**
 * A new completion request, from the HTTP intake or `rc request`: the schema, the checks of
 * time, whitelist, timers and quorum, then stored before it is queued (so a GET answers at
 * once). The same requestId twice keeps the first request, and its deterministic jobId keeps
 * the queue to one job.
 */
export async function acceptRequest(
  body: unknown,
  deps: AcceptDeps,
  channel: 'http' | 'queue',
): Promise<Accepted> {
  const parsed = completionRequestInputSchema.safeParse(body);
  if (!parsed.success) return { ok: false, problems: problemsOf(parsed.error.issues) };
  const now = Date.now();
  const problems = semanticProblems(parsed.data, deps.config, now);
  if (problems.length > 0) return { ok: false, problems };
  const requestId = parsed.data.requestId ?? randomUUID();
  const job: SendRequestJob = {
    kind: 'request',
    request: { ...parsed.data, requestId },
    requestedAt: new Date(now).toISOString(),
    channel,
  };
  const stored = storedRequestFromJob(job, deps.config.requestTtlMs);
  const created = await deps.store.create(stored);
  await deps.timerStore?.saveAttachments(stored, job.request.attachments ?? []);
  const queued = deps.timerStore ? withoutAttachments(job) : job;
  await deps.sendQueue.add('request', queued, { jobId: JOB_IDS.request(requestId) });
  // Counted here, where the request is created; the sender's worker then finds it stored.
  if (created === 'created') metrics.requestsCreated.inc({ channel });
  return { ok: true, requestId, created };
}
