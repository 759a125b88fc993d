import type { Logger, Queues } from '@rc/runtime';
import type { InboundLog, RequestStore } from '@rc/store';
import { Router, type Express, type NextFunction, type Request, type Response } from 'express';
import { html } from './html';
import { parseInboundFilters } from './inbound-filters';
import { renderInboundSection } from './inbound-view';
import { refuseCrossSiteWrites, requireAdminLogin } from './admin-login';
import { ADMIN_PAGE_CSP, renderPage } from './page-layout';
import { createQueueBoard, QUEUE_BOARD_CSP } from './queue-board';
import { renderRecentRequests, renderRequestDetail, renderRequestLookup } from './requests-view';

export interface AdminDeps {
  /** RC_ADMIN_PASSWORD; the router is only mounted when it is set */
  password: string;
  store: RequestStore;
  inboundLog: InboundLog;
  queues: Queues;
  logger: Logger;
}

const RECENT_REQUESTS = 50;
const ANSWERS_PER_REQUEST = 100;

function securityHeaders(csp: string) {
  return (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cache-Control', 'no-store');
    next();
  };
}

function sendPage(res: Response, status: number, title: string, body: ReturnType<typeof html>) {
  res.status(status).type('html').send(renderPage(title, body));
}

/**
 * The admin pages (SPEC 3.5): Bull Board at /admin/queues, and at /admin/ the requests and the
 * inbound outcome log for support. Server-rendered, no script; everything behind one login.
 */
export function createAdminRouter(deps: AdminDeps): Router {
  const pages = Router();

  pages.get('/', async (req, res) => {
    const { filters, problems } = parseInboundFilters(req.query);
    const [recent, inbound] = await Promise.all([
      deps.store.recent(RECENT_REQUESTS),
      deps.inboundLog.query(filters),
    ]);
    sendPage(
      res,
      problems.length > 0 ? 400 : 200,
      'Requests and inbound mail',
      html`${renderRecentRequests(recent)} ${renderInboundSection(inbound, filters, problems)}`,
    );
  });

  pages.get('/requests', (req, res) => {
    const id = typeof req.query.id === 'string' ? req.query.id.trim() : '';
    res.redirect(303, id ? `/admin/requests/${encodeURIComponent(id)}` : '/admin/');
  });

  pages.get('/requests/:requestId', async (req, res) => {
    const { requestId } = req.params;
    const record = await deps.store.get(requestId);
    if (!record) {
      sendPage(
        res,
        404,
        'Request not found',
        html`${renderRequestLookup(requestId)}
          <p>
            No request <code>${requestId}</code>: it never existed, or it was removed 30 days after
            it expired. Its emails may still be in the
            <a href="/admin/?requestId=${encodeURIComponent(requestId)}#inbound">inbound log</a>.
          </p>`,
      );
      return;
    }
    const [events, inbound] = await Promise.all([
      deps.store.events(requestId),
      deps.inboundLog.query({ requestId, limit: ANSWERS_PER_REQUEST }),
    ]);
    sendPage(res, 200, record.title, renderRequestDetail(record, events, inbound));
  });

  const admin = Router();
  admin.use(requireAdminLogin(deps.password), refuseCrossSiteWrites);
  let board: Promise<Express> | undefined;
  admin.use('/queues', securityHeaders(QUEUE_BOARD_CSP), (req, res, next) => {
    (board ??= createQueueBoard(deps.queues)).then((app) => app(req, res, next), next);
  });
  admin.use(securityHeaders(ADMIN_PAGE_CSP), pages);

  const router = Router();
  // /admin without the slash: the pages' links are absolute, but people type it.
  router.get('/admin', (req, res, next) => {
    if (req.originalUrl === '/admin') res.redirect(301, '/admin/');
    else next();
  });
  router.use('/admin', admin);
  deps.logger.info('admin pages at /admin/ (HTTP Basic, user admin)');
  return router;
}
