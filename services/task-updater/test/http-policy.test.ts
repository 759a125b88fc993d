import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CodedError } from '@rc/contracts';
import { PermanentJobError } from '@rc/runtime';
import { findFreePort, startMicrosoftFake } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEngineHttp, type EngineHttp } from '../src/index';

/**
 * The one HTTP policy every HTTP engine uses (SPEC 3.4), against a real HTTP server on
 * 127.0.0.1 whose answer each test chooses by path.
 */

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;
const handlers = new Map<string, Handler>();
const hits = new Map<string, number>();
const sockets = new Set<Socket>();
let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const path = req.url ?? '/';
      hits.set(path, (hits.get(path) ?? 0) + 1);
      (handlers.get(path) ?? ((_req, answer) => answer.writeHead(200).end()))(req, res);
    });
  });
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  await new Promise((resolve) => server.close(resolve));
});

const engineHttp = (timeoutMs = 2000): EngineHttp => createEngineHttp('engine', { timeoutMs }, {});
const post = (path: string, http = engineHttp()) =>
  http({ url: `${base}${path}`, headers: { 'Content-Type': 'application/json' }, body: '{}' });

function answer(path: string, status: number, body = '', headers: http.OutgoingHttpHeaders = {}) {
  handlers.set(path, (_req, res) => res.writeHead(status, headers).end(body));
}

/** What a call ended in: its result, or the class and code of what it threw. */
async function outcomeOf(call: Promise<unknown>): Promise<string> {
  try {
    return `result ${String(await call)}`;
  } catch (error) {
    const kind = error instanceof PermanentJobError ? 'permanent' : 'retryable';
    return `${kind} ${(error as CodedError).code}`;
  }
}

describe('status codes', () => {
  it.each([
    [200, 'result done'],
    [201, 'result done'],
    [204, 'result done'],
    [409, 'result already_done'],
    [408, 'retryable ENGINE_UNAVAILABLE'],
    [429, 'retryable ENGINE_UNAVAILABLE'],
    [500, 'retryable ENGINE_UNAVAILABLE'],
    [502, 'retryable ENGINE_UNAVAILABLE'],
    [503, 'retryable ENGINE_UNAVAILABLE'],
    [400, 'permanent ENGINE_REJECTED'],
    [401, 'permanent ENGINE_REJECTED'],
    [403, 'permanent ENGINE_REJECTED'],
    [404, 'permanent ENGINE_REJECTED'],
    [422, 'permanent ENGINE_REJECTED'],
  ])('%i → %s', async (status, expected) => {
    answer(`/status/${status}`, status);
    expect(await outcomeOf(post(`/status/${status}`))).toBe(expected);
  });

  it('a retryable failure is a CodedError, which BullMQ retries (not an UnrecoverableError)', async () => {
    answer('/busy', 503, 'try later');
    const error = await post('/busy').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CodedError);
    expect(error).not.toBeInstanceOf(PermanentJobError);
    expect((error as Error).message).toBe('engine answered 503: try later');
  });

  it('a redirect is not followed: the POST is never replayed elsewhere', async () => {
    answer('/moved', 307, '', { Location: '/new-home' });
    answer('/new-home', 200);
    expect(await outcomeOf(post('/moved'))).toBe('permanent ENGINE_REJECTED');
    expect(hits.get('/new-home')).toBeUndefined();
  });

  it("keeps 200 characters of the engine's answer for the error, from a body of any size", async () => {
    answer('/big-error', 400, `${'x'.repeat(300)}${'y'.repeat(2_000_000)}`);
    const error = (await post('/big-error').catch((caught: unknown) => caught)) as Error;
    expect(error.message).toBe(`engine answered 400: ${'x'.repeat(200)}`);
  });
});

describe('connections', () => {
  it('drains every body, so one kept-alive connection serves call after call', async () => {
    answer('/large', 200, 'z'.repeat(256 * 1024));
    const before = sockets.size;
    const engine = engineHttp();
    for (let call = 0; call < 5; call += 1) expect(await post('/large', engine)).toBe('done');
    expect(sockets.size - before).toBe(1);
  });

  it('a refused connection is retryable and names only the error code', async () => {
    const port = await findFreePort();
    const error = (await engineHttp()({
      url: `http://hook:Tr0ub4dor3SECRET@127.0.0.1:${port}/hook`,
      headers: {},
      body: '{}',
    }).catch((caught: unknown) => caught)) as CodedError;
    expect(error).not.toBeInstanceOf(PermanentJobError);
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toBe('engine unreachable: ECONNREFUSED');
  });

  it('no answer within the timeout is retryable, and the call ends on time', async () => {
    handlers.set('/silent', () => undefined);
    const started = Date.now();
    const error = (await post('/silent', engineHttp(300)).catch(
      (caught: unknown) => caught,
    )) as CodedError;
    expect(Date.now() - started).toBeLessThan(2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(error.code).toBe('ENGINE_UNAVAILABLE');
    expect(error.message).toBe('engine unreachable: no answer within 300 ms');
  });

  it('a body that trickles past the timeout is cut off too', async () => {
    handlers.set('/trickle', (_req, res) => {
      res.writeHead(200);
      const timer = setInterval(() => res.write('.'), 50);
      res.on('close', () => clearInterval(timer));
    });
    const started = Date.now();
    expect(await outcomeOf(post('/trickle', engineHttp(300)))).toBe('retryable ENGINE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('an answer cut short is retryable', async () => {
    handlers.set('/cut', (req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('partial', () => req.socket.destroy());
    });
    expect(await outcomeOf(post('/cut'))).toBe('retryable ENGINE_UNAVAILABLE');
  });
});

describe('HTTPS with a private CA (RC_TLS_CA_FILE)', () => {
  // The testkit's local Graph stands in for an engine behind a private CA: a real HTTPS server
  // whose certificate is made at test time. Unauthenticated, it answers 401.
  it('trusts the CA besides the public roots, and refuses the server without it', async () => {
    const tls = await startMicrosoftFake();
    try {
      const url = `${tls.graphBaseUrl}/users/approvals@rc.example/sendMail`;
      const call = (tlsCaFile?: string) =>
        createEngineHttp(
          'engine',
          { timeoutMs: 5000 },
          { tlsCaFile },
        )({ url, headers: {}, body: '{}' });
      expect(await outcomeOf(call(tls.caFile))).toBe('permanent ENGINE_REJECTED');
      const untrusted = (await call().catch((caught: unknown) => caught)) as CodedError;
      expect(untrusted.code).toBe('ENGINE_UNAVAILABLE');
      expect(untrusted.message).toMatch(
        /^engine unreachable: [A-Z_]*(CERT|SIGNATURE|ISSUER)[A-Z_]*$/,
      );
    } finally {
      await tls.close();
    }
  });
});
