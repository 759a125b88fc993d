import { ERROR_CODES, type QueueName } from '@rc/contracts';
import {
  listDeadLetters,
  replayDeadLetter,
  REPLAYABLE_QUEUES,
  type DeadLetterEntry,
  type Logger,
  type Queues,
} from '@rc/runtime';
import express, { Router } from 'express';
import { z } from 'zod';
import { requireBearer } from './intake';
import { problemsOf } from './request-checks';

/** `GET /v1/dead-letters` query; the same schema is the OpenAPI document's parameters. */
export const deadLetterQuerySchema = z.object({
  queue: z.enum(REPLAYABLE_QUEUES as [QueueName, ...QueueName[]]).optional(),
  code: z.enum(Object.keys(ERROR_CODES) as [string, ...string[]]).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(50),
});

export const deadLetterPathSchema = z.object({ id: z.string().min(1).max(1024) });

/** `POST /v1/dead-letters/{id}/replay` query: `force=true` replays one replayed before. */
export const replayQuerySchema = z.object({ force: z.enum(['true', 'false']).optional() });

export const deadLetterEntrySchema = z.object({
  id: z.string(),
  queue: z.string(),
  jobId: z.string(),
  name: z.string().optional(),
  code: z.string().optional(),
  error: z.string(),
  attempts: z.number().int().nonnegative().optional(),
  failedAt: z.string(),
  replayedAt: z.string().optional(),
  requestId: z.string().optional(),
  inboundId: z.string().optional(),
});

export const deadLetterListSchema = z.object({ items: z.array(deadLetterEntrySchema) });

export const replayedSchema = z.object({
  id: z.string(),
  queue: z.enum(REPLAYABLE_QUEUES as [QueueName, ...QueueName[]]),
  jobId: z.string(),
  action: z.enum(['retried', 'added', 'already_queued']),
  replayedAt: z.string(),
});

// The schemas above describe what listDeadLetters returns; the compiler keeps them in step.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const entryMatches: Same<z.output<typeof deadLetterEntrySchema>, DeadLetterEntry> = true;
void entryMatches;

export interface DeadLettersDeps {
  apiToken?: string;
  queues: Queues;
  logger: Logger;
}

/**
 * SPEC 3.5: dead letters listed newest first and replayed one at a time into their original
 * queue. 409 when a replay would be wrong: the payload fails its queue's contract (it would only
 * fail again), or it was replayed before (`force=true` to do it anyway).
 */
export function createDeadLettersRouter(deps: DeadLettersDeps): Router {
  const router = Router();
  router.use(
    '/v1/dead-letters',
    requireBearer(deps.apiToken),
    express.json({ limit: '16kb', type: () => true }),
  );

  router.get('/v1/dead-letters', async (req, res) => {
    const query = deadLetterQuerySchema.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: 'invalid_query', problems: problemsOf(query.error.issues) });
      return;
    }
    res.json({ items: await listDeadLetters(deps.queues.deadLetter, query.data) });
  });

  router.post('/v1/dead-letters/:id/replay', async (req, res) => {
    const query = replayQuerySchema.safeParse(req.query);
    if (!query.success) {
      res.status(400).json({ error: 'invalid_query', problems: problemsOf(query.error.issues) });
      return;
    }
    const result = await replayDeadLetter(deps.queues, req.params.id, {
      force: query.data.force === 'true',
    });
    if (!result.ok) {
      const status = result.reason === 'not_found' ? 404 : 409;
      res.status(status).json({ error: result.reason, problems: result.problems });
      return;
    }
    deps.logger.info(
      { deadLetter: result.id, queue: result.queue, jobId: result.jobId, action: result.action },
      'dead letter replayed',
    );
    const { ok: _ok, ...replayed } = result;
    res.json(replayed);
  });
  return router;
}
