import { createHash } from 'node:crypto';
import { assigneeSchema, JOB_IDS, reassignInputSchema, type SendRequestJob } from '@rc/contracts';
import type { StoredRequest } from '@rc/store';
import type { Router } from 'express';
import { z } from 'zod';
import type { IntakeDeps } from './intake';
import { problemsOf, quorumProblems, whitelistProblems } from './request-checks';

/** `200` to a reassignment: the assignees now, and who came and went. */
export const reassignedSchema = z.object({
  requestId: z.string(),
  assignees: z.array(assigneeSchema),
  added: z.array(assigneeSchema),
  removed: z.array(assigneeSchema),
});

/** `409`: the request is closed, and how. */
export const reassignConflictSchema = z.object({
  error: z.enum(['already_decided', 'cancelled']),
  status: z.enum(['pending', 'deciding', 'completed', 'failed', 'cancelled']).optional(),
});

/**
 * The send job that emails a reassignment's new assignees: the request as stored, with its
 * new list (the sender emails each assignee not yet emailed, once). Its id names the list, so
 * a retried call queues nothing twice.
 */
export function reassignSendJob(request: StoredRequest): { job: SendRequestJob; jobId: string } {
  const emails = request.assignees.map((assignee) => assignee.email).sort();
  const digest = createHash('sha256').update(emails.join('\n')).digest('hex').slice(0, 16);
  const job: SendRequestJob = {
    kind: 'request',
    request: {
      requestId: request.requestId,
      taskId: request.taskId,
      title: request.title,
      ...(request.description !== undefined ? { description: request.description } : {}),
      ...(request.release ? { release: request.release } : {}),
      ...(request.locale ? { locale: request.locale } : {}),
      assignees: request.assignees,
      expiresAt: request.expiresAt,
    },
    requestedAt: request.createdAt,
    channel: 'http',
  };
  return { job, jobId: JOB_IDS.reassign(request.requestId, digest) };
}

/**
 * `POST /v1/completion-requests/{requestId}/reassign` (SPEC 3.2): the same request and id with
 * a new list of assignees. Tokens of those no longer named die at once, the new ones are
 * emailed through the send queue, votes of those who stay are kept; audited by the store.
 */
export function addReassignRoute(router: Router, deps: IntakeDeps): void {
  router.post('/v1/completion-requests/:requestId/reassign', async (req, res) => {
    const parsed = reassignInputSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_request', problems: problemsOf(parsed.error.issues) });
      return;
    }
    const { requestId } = req.params;
    const current = await deps.store.getStored(requestId);
    if (!current) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    const { assignees } = parsed.data;
    const problems = [
      ...whitelistProblems('assignees', assignees, deps.config),
      ...quorumProblems(current, assignees),
    ];
    if (problems.length > 0) {
      res.status(400).json({ error: 'invalid_request', problems });
      return;
    }
    const result = await deps.store.votes.reassign(requestId, assignees, new Date().toISOString());
    if (result.result === 'not_found') {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    if (result.result === 'unreachable') {
      const problem = `assignees: with failPolicy majority, the fails already cast by those who stay leave fewer than quorum ${current.quorum ?? 1} who could complete`;
      res.status(400).json({ error: 'invalid_request', problems: [problem] });
      return;
    }
    if (result.result !== 'reassigned') {
      const record = await deps.store.get(requestId);
      const error = result.result === 'cancelled' ? 'cancelled' : 'already_decided';
      res.status(409).json({ error, ...(record ? { status: record.status } : {}) });
      return;
    }
    const { job, jobId } = reassignSendJob(result.request);
    await deps.sendQueue.add('request', job, { jobId });
    deps.logger.info(
      {
        requestId,
        added: result.added.map((assignee) => assignee.email),
        removed: result.removed.map((assignee) => assignee.email),
      },
      'completion request reassigned',
    );
    res.status(200).json({
      requestId,
      assignees: result.request.assignees,
      added: result.added,
      removed: result.removed,
    });
  });
}
