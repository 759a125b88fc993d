import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the fake engine answers: healthy, sick (500s and hung calls), or down (503). */
export type EngineMode = 'ok' | 'sick' | 'down';

/** One webhook call as the engine saw it. */
export interface EngineCall {
  requestId: string;
  event: string;
  comment: string;
  idempotencyKey: string;
  /** what it answered; `hung` = never answered, the caller gave up */
  status: number | 'hung';
  at: number;
}

export interface ChaosEngine {
  url: string;
  calls: EngineCall[];
  setMode(mode: EngineMode): void;
  /** the calls answered 2xx, by request: what reached the engine */
  applied(): Map<string, EngineCall[]>;
  stop(): Promise<void>;
}

/**
 * A release engine for the chaos run. Sick, it answers half the calls 500 and lets the others
 * hang until the caller's timeout (RC_WEBHOOK_TIMEOUT) cuts them, as an overloaded engine does;
 * a hung call counts as not applied, so the retry that follows is the one that must land.
 */
export async function startChaosEngine(random: () => number): Promise<ChaosEngine> {
  const calls: EngineCall[] = [];
  let mode: EngineMode = 'ok';
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = parse(Buffer.concat(chunks).toString('utf8'));
      const call: EngineCall = {
        requestId: String(body.requestId ?? ''),
        event: String(body.event ?? ''),
        comment: String(body.comment ?? ''),
        idempotencyKey: String(req.headers['idempotency-key'] ?? ''),
        status: 'hung',
        at: Date.now(),
      };
      calls.push(call);
      const status = mode === 'ok' ? 200 : mode === 'down' ? 503 : random() < 0.5 ? 500 : 0;
      if (status === 0) {
        hanging.add(res);
        res.once('close', () => hanging.delete(res));
        return;
      }
      call.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status === 200 }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    calls,
    setMode(next) {
      mode = next;
    },
    applied() {
      const byRequest = new Map<string, EngineCall[]>();
      for (const call of calls) {
        if (call.status !== 200) continue;
        byRequest.set(call.requestId, [...(byRequest.get(call.requestId) ?? []), call]);
      }
      return byRequest;
    },
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function parse(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
