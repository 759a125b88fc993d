import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';

/** An HTTPS address in front of a plain-HTTP port on 127.0.0.1. */
export interface HttpsFront {
  /** `https://127.0.0.1:PORT` */
  origin: string;
  stop(): Promise<void>;
}

/**
 * TLS termination as a load balancer does it in production: Graph only calls https:// URLs
 * (RC_GRAPH_NOTIFICATION_URL), the product serves plain HTTP. Requests are relayed as they came
 * (method, path, headers, body) to `targetPort`, and so are the answers; while the target is not
 * listening yet (the product starting) the front answers 502, as a proxy would.
 */
export async function startHttpsFront(
  tls: { keyPem: string; certPem: string },
  targetPort: number,
): Promise<HttpsFront> {
  const server: Server = createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => {
    const upstream = httpRequest(
      {
        host: '127.0.0.1',
        port: targetPort,
        method: req.method,
        path: req.url,
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    origin: `https://127.0.0.1:${port}`,
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}
