import { randomUUID, timingSafeEqual, createHash } from 'node:crypto';
import {
  completionRequestInputSchema,
  JOB_IDS,
  type Assignee,
  type CompletionRequestInput,
  type SendRequestJob,
} from '@rc/contracts';
import { metrics, type Config, type Logger, type TypedQueue } from '@rc/runtime';
import {
  countsVotes,
  storedRequestFromJob,
  type InboundLog,
  type RequestStore,
  type TimerStore,
} from '@rc/store';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { isAddressWhitelisted } from '@rc/mail';
import { inboundQuerySchema } from './openapi/api-schemas';
import { withoutAttachments } from './attachments';
import { timerProblems } from './timers/schedule';
import { addReassignRoute, quorumProblems } from './reassign';

/** What the intake reads from the configuration. */
export type IntakeConfig = Pick<Config, 'apiToken' | 'requestTtlMs' | 'whitelist'>;

export interface IntakeDeps {
  config: IntakeConfig;
  store: RequestStore;
  inboundLog: InboundLog;
  sendQueue: TypedQueue<'send'>;
  logger: Logger;
  /** where attachments are kept, once (attachments.ts); absent: they travel in the job */
  timerStore?: TimerStore;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Bearer check in constant time (hashing first makes the lengths equal). */
export function requireBearer(apiToken: string | undefined) {
  const expected = apiToken ? digest(apiToken) : undefined;
  return (req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!expected) {
      res.status(401).json({
        error: 'unauthorized',
        problems: ['the intake is disabled: RC_API_TOKEN is not set'],
      });
      return;
    }
    if (!match?.[1] || !timingSafeEqual(digest(match[1]), expected)) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      res.status(401).json({ error: 'unauthorized', problems: ['missing or wrong bearer token'] });
      return;
    }
    next();
  };
}

export function problemsOf(issues: { path: PropertyKey[]; message: string }[]): string[] {
  return issues.map(
    (issue) => `${issue.path.length ? issue.path.map(String).join('.') : 'body'}: ${issue.message}`,
  );
}

/** Addresses outside RC_WHITELIST_DOMAINS, one problem each (creation and reassignment). */
export function whitelistProblems(
  field: string,
  assignees: readonly Assignee[] | undefined,
  config: IntakeConfig,
): string[] {
  const { whitelist } = config;
  if (!whitelist.enabled) return [];
  return (assignees ?? []).flatMap((assignee, index) =>
    isAddressWhitelisted(assignee.email, whitelist.domains)
      ? []
      : [`${field}.${index}.email: ${assignee.email} is outside RC_WHITELIST_DOMAINS`],
  );
}

/** Checks beyond the schema that depend on time and configuration. */
function semanticProblems(input: CompletionRequestInput, deps: IntakeDeps, now: number): string[] {
  const problems: string[] = [];
  if (input.expiresAt && Date.parse(input.expiresAt) <= now)
    problems.push('expiresAt: must be in the future');
  const expiresAt = input.expiresAt ? Date.parse(input.expiresAt) : now + deps.config.requestTtlMs;
  problems.push(...timerProblems(input, expiresAt, now));
  for (const field of ['assignees', 'escalateTo'] as const)
    problems.push(...whitelistProblems(field, input[field], deps.config));
  problems.push(...quorumProblems(input, input.assignees));
  return problems;
}

/** The HTTP API of SPEC 3.2 and 3.5: completion requests in, their state and the inbound log out. */
export function createIntakeRouter(deps: IntakeDeps): Router {
  const router = Router();
  // The intake's own paths only: in `pnpm start` other services' routes share the app, and
  // Graph posts to the poller's /v1/graph/notifications without a bearer token.
  router.use(
    ['/v1/completion-requests', '/v1/inbound'],
    requireBearer(deps.config.apiToken),
    // attachments: up to 2 MiB decoded is ~2.8 MB of base64 (ATTACHMENTS_MAX_TOTAL_BYTES)
    express.json({ limit: '4mb', type: () => true }),
  );

  router.post('/v1/completion-requests', async (req, res) => {
    const parsed = completionRequestInputSchema.safeParse(req.body);
    if (!parsed.success) {
      res.status(400).json({ error: 'invalid_request', problems: problemsOf(parsed.error.issues) });
      return;
    }
    const now = Date.now();
    const problems = semanticProblems(parsed.data, deps, now);
    if (problems.length > 0) {
      res.status(400).json({ error: 'invalid_request', problems });
      return;
    }
    const requestId = parsed.data.requestId ?? randomUUID();
    const job: SendRequestJob = {
      kind: 'request',
      request: { ...parsed.data, requestId },
      requestedAt: new Date(now).toISOString(),
      channel: 'http',
    };
    // Stored before it is queued, so GET answers at once; the same requestId twice keeps the
    // first request and its deterministic jobId keeps the queue to one job.
    const stored = storedRequestFromJob(job, deps.config.requestTtlMs);
    const created = await deps.store.create(stored);
    await deps.timerStore?.saveAttachments(stored, job.request.attachments ?? []);
    const queued = deps.timerStore ? withoutAttachments(job) : job;
    await deps.sendQueue.add('request', queued, { jobId: JOB_IDS.request(requestId) });
    if (created === 'created') metrics.requestsCreated.inc({ channel: 'http' });
    deps.logger.info(
      { requestId, taskId: parsed.data.taskId, created },
      'completion request accepted',
    );
    res.status(202).json({ requestId });
  });

  router.get('/v1/completion-requests/:requestId', async (req, res) => {
    const record = await deps.store.get(req.params.requestId);
    if (!record) {
      res.status(404).json({ error: 'not_found' });
      return;
    }
    // votes only where they decide (quorum): other requests read exactly as before
    const votes = countsVotes(record)
      ? { votes: await deps.store.votes.list(record.requestId) }
      : {};
    res.json({ ...record, ...votes, events: await deps.store.events(record.requestId) });
  });

  router.delete('/v1/completion-requests/:requestId', async (req, res) => {
    const requestId = req.params.requestId;
    const at = new Date().toISOString();
    const result = await deps.store.cancel(requestId, at);
    switch (result) {
      case 'not_found':
        res.status(404).json({ error: 'not_found' });
        return;
      case 'already_decided': {
        const record = await deps.store.get(requestId);
        res
          .status(409)
          .json({ error: 'already_decided', status: record?.status, decision: record?.decision });
        return;
      }
      case 'cancelled': {
        const stored = await deps.store.getStored(requestId);
        if (stored) await deps.store.addEvent(stored, { at, type: 'cancelled' });
        deps.logger.info({ requestId }, 'completion request cancelled');
      }
    }
    res.status(200).json({ requestId, status: 'cancelled' });
  });

  addReassignRoute(router, deps);

  router.get('/v1/inbound', async (req, res) => {
    const query = inboundQuerySchema.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: 'invalid_query', problems: problemsOf(query.error.issues) });
      return;
    }
    res.json({ items: await deps.inboundLog.query(query.data) });
  });

  return router;
}
