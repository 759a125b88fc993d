import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedWebhook {
  receivedAt: number;
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  /** exactly the bytes sent (utf8), for signature checks */
  rawBody: string;
  /** parsed rawBody, or undefined when it is not JSON */
  json: unknown;
}

export type WebhookResponder = number | ((req: ReceivedWebhook, callIndex: number) => number);

export interface WebhookReceiver {
  /** http://127.0.0.1:PORT/hook (any path is recorded) */
  url: string;
  received: ReceivedWebhook[];
  /** how to answer the following calls: a status code, or a function of the call (0-based index); default 200 */
  respondWith(responder: WebhookResponder): void;
  /** resolves with a snapshot of everything received once at least `count` calls arrived (default timeout 10 s) */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedWebhook[]>;
  stop(): Promise<void>;
}

/** A fake release engine: records every request with its raw body and answers a chosen status. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let responder: WebhookResponder = 200;
  const waiters = new Set<() => void>();

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const record: ReceivedWebhook = {
        receivedAt: Date.now(),
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: { ...req.headers },
        rawBody,
        json: parseJson(rawBody),
      };
      const callIndex = received.length;
      received.push(record);
      let status: number;
      try {
        status = typeof responder === 'number' ? responder : responder(record, callIndex);
      } catch {
        status = 500;
      }
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status >= 200 && status < 300 }));
      for (const wake of waiters) wake();
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Port 0: the kernel picks a free port atomically, so there is no race to retry.
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  let stopping: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    respondWith(next) {
      responder = next;
    },
    waitFor(count, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          if (received.length < count) return false;
          done();
          resolve(received.slice());
          return true;
        };
        const timer = setTimeout(() => {
          done();
          reject(
            new Error(
              `webhook waitFor: ${received.length} of ${count} call(s) after ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
        const wake = (): void => {
          check();
        };
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(wake);
        };
        if (!check()) waiters.add(wake);
      });
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from the client under test would hold close() open indefinitely.
        server.closeAllConnections();
      });
      return stopping;
    },
  };
}

function parseJson(text: string): unknown {
  if (text.length === 0) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
