import { createServer, type Server } from 'node:http';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type Response,
  type Router,
} from 'express';
import type { Logger } from 'pino';
import { metrics, registry } from './metrics';

/** Facts a passing check adds to its `/readyz` entry, e.g. a poller's `role`. */
export type ReadinessDetail = Record<string, string | number | boolean>;

/** One dependency `/readyz` checks: its Redis, its mailbox, its SMTP server… */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void | ReadinessDetail>;
}

export interface HttpServerOptions {
  port: number;
  logger: Logger;
  readiness: ReadinessCheck[];
  routers?: Router[];
  /** run before each /metrics scrape (e.g. reading queue depths) */
  beforeMetrics?: () => Promise<void>;
}

export interface HttpServer {
  app: Express;
  server: Server;
  port: number;
  close(): Promise<void>;
}

const CHECK_TIMEOUT_MS = 3000;
/** how long a closing server waits for requests in flight */
const CLOSE_GRACE_MS = 5_000;

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      (value) => (clearTimeout(timer), resolve(value)),
      (error: unknown) => (
        clearTimeout(timer),
        reject(error instanceof Error ? error : new Error(String(error)))
      ),
    );
  });
}

export async function startHttpServer(options: HttpServerOptions): Promise<HttpServer> {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      options.readiness.map(async ({ name, check }) => {
        try {
          const detail = await withTimeout(check(), CHECK_TIMEOUT_MS);
          return { ...detail, name, ok: true as const };
        } catch (error) {
          return {
            name,
            ok: false as const,
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
    for (const result of results)
      metrics.readinessCheckOk.set({ check: result.name }, result.ok ? 1 : 0);
    const ready = results.every((result) => result.ok);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not_ready', checks: results });
  });
  app.get('/metrics', async (_req, res) => {
    try {
      await options.beforeMetrics?.();
    } catch (error) {
      options.logger.warn(
        { err: error instanceof Error ? error.message : String(error) },
        'metrics pre-scrape failed',
      );
    }
    res.type(registry.contentType).send(await registry.metrics());
  });
  for (const router of options.routers ?? []) app.use(router);

  app.use((_req, res) => {
    res.status(404).json({ error: 'not_found' });
  });
  // Express 5 forwards rejected promises here; body-parser errors carry a status and type.
  app.use(
    (
      error: Error & { status?: number; type?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      const status = error.status && error.status >= 400 && error.status < 500 ? error.status : 500;
      if (status === 500) options.logger.error({ err: error.message }, 'http handler failed');
      const message =
        error.type === 'entity.parse.failed'
          ? 'request body is not valid JSON'
          : error.type === 'entity.too.large'
            ? 'request body is too large'
            : status === 500
              ? 'internal error'
              : error.message;
      res
        .status(status)
        .json({ error: status === 500 ? 'internal' : 'bad_request', problems: [message] });
    },
  );

  const server = createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  options.logger.info({ port }, 'http server listening');
  return {
    app,
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        // Stop accepting and drop idle keep-alive connections; requests in flight get their
        // answer, unless they take longer than CLOSE_GRACE_MS.
        server.close(() => {
          clearTimeout(timer);
          resolve();
        });
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
        timer.unref();
      }),
  };
}
