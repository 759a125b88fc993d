import { randomUUID } from 'node:crypto';
import {
  completionRequestInputSchema,
  JOB_IDS,
  sendRequestJobSchema,
  type SendRequestJob,
} from '@rc/contracts';
import { isAddressWhitelisted } from '@rc/mail';
import type { Config } from '@rc/runtime';
import { storedRequestFromJob } from '@rc/store';
import type { RequestAccess } from './request-access';

export type NewRequest =
  | { ok: true; requestId: string; created: 'created' | 'exists' }
  | { ok: false; problems: string[] };

/**
 * What `POST /v1/completion-requests` does, without HTTP: the same schema, the same checks of
 * time and whitelist, stored before it is queued (so `rc status` answers at once), the same
 * deterministic job id (the same request id twice is one request), the send queue's contract.
 */
export async function createRequest(
  input: unknown,
  access: RequestAccess,
  config: Pick<Config, 'requestTtlMs' | 'whitelist'>,
): Promise<NewRequest> {
  const parsed = completionRequestInputSchema.safeParse(input);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || 'request'}: ${issue.message}`,
      ),
    };
  }
  const now = Date.now();
  const request = parsed.data;
  const problems: string[] = [];
  if (request.expiresAt && Date.parse(request.expiresAt) <= now) {
    problems.push('expiresAt: must be in the future');
  }
  if (config.whitelist.enabled) {
    for (const { email } of request.assignees) {
      if (!isAddressWhitelisted(email, config.whitelist.domains))
        problems.push(`assignee ${email} is outside RC_WHITELIST_DOMAINS`);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const requestId = request.requestId ?? randomUUID();
  const job: SendRequestJob = sendRequestJobSchema.parse({
    kind: 'request',
    request: { ...request, requestId },
    requestedAt: new Date(now).toISOString(),
    channel: 'queue',
  });
  const created = await access.store.create(storedRequestFromJob(job, config.requestTtlMs));
  await access.sendQueue.add('request', job, { jobId: JOB_IDS.request(requestId) });
  return { ok: true, requestId, created };
}
