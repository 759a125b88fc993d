import { createServer, type Server } from 'node:http';
import express, {
  type Express,
  type NextFunction,
  type Request,
  type Response,
  type Router,
} from 'express';
import type { Logger } from 'pino';
import { registry } from './metrics';

/** One dependency `/readyz` checks: its Redis, its mailbox, its SMTP server… */
export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
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

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    promise.then(
      () => (clearTimeout(timer), resolve()),
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
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return { name, ok: true as const };
        } catch (error) {
          return {
            name,
            ok: false as const,
            error: error instanceof Error ? error.message : String(error),
          };
        }
      }),
    );
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
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
