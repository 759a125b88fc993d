import http from 'node:http';
import https from 'node:https';
import { CodedError } from '@rc/contracts';
import { PermanentJobError, tlsTrustOptions } from '@rc/runtime';
import type { EngineResult } from './engine';

/** One POST to an engine. */
export interface EnginePost {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export type EngineHttp = (post: EnginePost) => Promise<EngineResult>;

/** What is kept of an answer's body, for the error message (the rest is read and dropped). */
const KEPT_BODY_BYTES = 1024;
const SHOWN_BODY_CHARS = 200;

interface Answer {
  status: number;
  text: string;
}

/**
 * The ONE HTTP policy of every HTTP engine (SPEC 3.4): 2xx done; 409 already done elsewhere;
 * 408, 429, 5xx, a network error or no answer within the timeout → retried with backoff
 * (ENGINE_UNAVAILABLE); any other answer, 3xx included → dead letter (ENGINE_REJECTED).
 * Redirects are never followed: a POST carrying credentials must not be replayed to another
 * address, and a moved endpoint is a configuration change, not something to retry.
 * node:http(s) rather than fetch: it trusts RC_TLS_CA_FILE per agent (fetch needs undici's
 * Agent, which this service cannot depend on today) and never follows redirects by itself.
 */
export function createEngineHttp(
  /** how errors name the engine: `webhook answered 500` */
  label: string,
  { timeoutMs }: { timeoutMs: number },
  { tlsCaFile }: { tlsCaFile?: string },
): EngineHttp {
  // Keep-alive: the body is always read to its end, so the connection goes back to the pool.
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true, ...tlsTrustOptions(tlsCaFile) }),
  };
  return async (post) => {
    const url = new URL(post.url);
    let answer: Answer;
    try {
      answer = await send(
        url,
        post,
        url.protocol === 'https:' ? agents['https:'] : agents['http:'],
        timeoutMs,
      );
    } catch (error) {
      throw new CodedError(
        `${label} unreachable: ${describeNetworkError(error)}`,
        'ENGINE_UNAVAILABLE',
        { cause: error },
      );
    }
    return judge(label, answer);
  };
}

function judge(label: string, { status, text }: Answer): EngineResult {
  if (status >= 200 && status < 300) return 'done';
  if (status === 409) return 'already_done';
  const message = `${label} answered ${status}${text ? `: ${text}` : ''}`;
  if (isRetryableStatus(status)) throw new CodedError(message, 'ENGINE_UNAVAILABLE');
  throw new PermanentJobError(message, 'ENGINE_REJECTED');
}

/** 408 and 429 are the 4xx answers that mean "later", not "never". */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

/** The error's code or name only: messages can carry the URL, and URLs can carry credentials. */
function describeNetworkError(error: unknown): string {
  const { code, name } = error as { code?: unknown; name?: unknown };
  if (code === 'ETIMEDOUT' && error instanceof Error) return error.message;
  return typeof code === 'string' ? code : typeof name === 'string' ? name : 'error';
}

function send(url: URL, post: EnginePost, agent: http.Agent, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        agent,
        headers: { ...post.headers, 'Content-Length': String(Buffer.byteLength(post.body)) },
      },
      (response) => {
        const kept: Buffer[] = [];
        let keptBytes = 0;
        response.on('data', (chunk: Buffer) => {
          if (keptBytes >= KEPT_BODY_BYTES) return;
          kept.push(chunk);
          keptBytes += chunk.length;
        });
        response.on('error', reject);
        response.on('close', () => {
          if (!response.complete)
            reject(Object.assign(new Error('answer cut short'), { code: 'ECONNRESET' }));
        });
        response.on('end', () => {
          clearTimeout(timer);
          const text = Buffer.concat(kept).toString('utf8').trim().slice(0, SHOWN_BODY_CHARS);
          resolve({ status: response.statusCode ?? 0, text });
        });
      },
    );
    // One deadline for the whole call, body included: a slow drip must not hold a worker slot.
    const timer = setTimeout(() => {
      const error = Object.assign(new Error(`no answer within ${timeoutMs} ms`), {
        code: 'ETIMEDOUT',
      });
      request.destroy(error);
      reject(error);
    }, timeoutMs);
    request.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    request.end(post.body);
  });
}
