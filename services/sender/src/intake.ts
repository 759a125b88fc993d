import { timingSafeEqual, createHash } from 'node:crypto';
import type { Config, Logger, TypedQueue } from '@rc/runtime';
import { countsVotes, type InboundLog, type RequestStore, type TimerStore } from '@rc/store';
import express, { Router, type NextFunction, type Request, type Response } from 'express';
import { acceptRequest } from './accept-request';
import { inboundQuerySchema } from './openapi/api-schemas';
import { addReassignRoute } from './reassign';
import { problemsOf } from './request-checks';

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
    const accepted = await acceptRequest(req.body, deps, 'http');
    if (!accepted.ok) {
      res.status(400).json({ error: 'invalid_request', problems: accepted.problems });
      return;
    }
    const { requestId, created } = accepted;
    deps.logger.info({ requestId, created }, 'completion request accepted');
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
