import { CodedError, type ErrorCode } from '@rc/contracts';
import { backoffDelay, DEFAULT_BACKOFF, retryAfterMs, sleep, type BackoffPolicy } from './backoff';
import { readBody } from './graph-body';
import { errorForStatus, GraphRequestError } from './graph-errors';
import type { GraphTokenSource } from './graph-token';
import { mailboxLimiter, type MailboxLimiter } from './mailbox-limiter';
import { createTlsFetch, type Fetch } from './tls-fetch';

export interface GraphRequestEvent {
  method: string;
  /** URL path only: no query, no headers, never the Authorization header. */
  path: string;
  status: number | 'network_error';
  attempt: number;
  durationMs: number;
}

export interface GraphClientOptions {
  /** RC_GRAPH_BASE_URL, e.g. https://graph.microsoft.com/v1.0 */
  baseUrl: string;
  /** The mailbox (RC_GRAPH_USER) whose throttling budget these calls share. */
  mailbox: string;
  tokens: Pick<GraphTokenSource, 'getToken'>;
  tlsCaFile?: string;
  fetch?: Fetch;
  /** Outlook allows 4 concurrent requests per app and mailbox. */
  maxConcurrent?: number;
  /** Attempts per call on throttling and network errors, then PROVIDER_THROTTLED. */
  maxAttempts?: number;
  /** A mailbox pause longer than this is handed to the caller (PROVIDER_THROTTLED) at once. */
  maxWaitMs?: number;
  backoff?: BackoffPolicy;
  timeoutMs?: number;
  /** Metrics hook: one event per HTTP exchange. */
  onRequest?: (event: GraphRequestEvent) => void;
  /** RC_MAIL_DEBUG: one line per exchange (method, path, status). */
  trace?: { info(fields: object, message: string): void };
}

export interface GraphRequest {
  method?: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** '/users/…' (build it with graphPath), or an absolute URL on the Graph origin (nextLink). */
  path: string;
  json?: unknown;
  body?: string | Uint8Array;
  contentType?: string;
  headers?: Record<string, string>;
  responseType?: 'json' | 'bytes';
  /** read at most this many bytes (+1) of a successful body; the rest is not downloaded */
  maxBytes?: number;
  /** The code of a failure that is neither auth nor throttling; default MAILBOX_UNAVAILABLE. */
  failureCode?: ErrorCode;
}

export interface GraphResponse<T> {
  status: number;
  headers: Headers;
  /** undefined for 202/204 and empty bodies. */
  body: T | undefined;
}

export interface GraphPage<T> {
  value: T[];
  nextLink?: string;
  deltaLink?: string;
}

export interface GraphClient {
  request<T = unknown>(request: GraphRequest): Promise<GraphResponse<T>>;
  getJson<T>(path: string): Promise<T>;
  getBytes(path: string): Promise<Buffer>;
  /** Every page, following `@odata.nextLink` whole; the last page carries a deltaLink if any. */
  pages<T>(path: string): AsyncGenerator<GraphPage<T>>;
  readonly limiter: MailboxLimiter;
}

const THROTTLED = new Set([429, 503, 504]);

/**
 * Ids are opaque and case-sensitive: each interpolated value is URL-encoded, never changed.
 * graphPath`/users/${user}/messages/${id}/$value`
 */
export function graphPath(strings: TemplateStringsArray, ...values: string[]): string {
  return strings.reduce(
    (path, part, i) => path + part + (i < values.length ? encodeURIComponent(values[i]!) : ''),
    '',
  );
}

/**
 * Our own thin layer rather than @microsoft/microsoft-graph-client: its RetryHandler retries
 * 429s per call, so the calls queued behind a throttled one would still hit the mailbox inside
 * Retry-After; and it sends the bearer only to hosts matched without their port.
 */
export function createGraphClient(options: GraphClientOptions): GraphClient {
  const base = new URL(options.baseUrl.replace(/\/+$/, ''));
  const fetchImpl = options.fetch ?? createTlsFetch(options.tlsCaFile);
  const limiter = mailboxLimiter(`${base.origin}|${options.mailbox}`, options.maxConcurrent ?? 4);
  const maxAttempts = options.maxAttempts ?? 5;
  const maxWaitMs = options.maxWaitMs ?? 60_000;
  const backoff = options.backoff ?? DEFAULT_BACKOFF;
  const timeoutMs = options.timeoutMs ?? 60_000;

  function urlOf(path: string): URL {
    if (!/^https?:\/\//i.test(path))
      return new URL(base.href + (path.startsWith('/') ? '' : '/') + path);
    const url = new URL(path);
    // A nextLink elsewhere would receive our bearer token: follow only the configured origin.
    if (url.origin !== base.origin) {
      throw new GraphRequestError(
        `Graph link points outside ${base.origin}: not followed`,
        'MAILBOX_UNAVAILABLE',
      );
    }
    return url;
  }

  function throttled(method: string, path: string, waitMs: number, status?: number) {
    return new GraphRequestError(
      `Graph ${method} ${path}: the mailbox is throttled for ${Math.ceil(waitMs / 1000)} s`,
      'PROVIDER_THROTTLED',
      { status, retryAfterMs: waitMs },
    );
  }

  function report(event: GraphRequestEvent): void {
    options.onRequest?.(event);
    options.trace?.info({ graph: event }, 'graph request');
  }

  async function request<T>(req: GraphRequest): Promise<GraphResponse<T>> {
    const method = req.method ?? 'GET';
    const url = urlOf(req.path);
    const path = url.pathname;
    let tokenRenewed = false;
    for (let attempt = 1; ; attempt++) {
      const pausedFor = limiter.pausedUntil - Date.now();
      if (pausedFor > maxWaitMs) throw throttled(method, path, pausedFor);
      const release = await limiter.acquire();
      const started = Date.now();
      let response: Response;
      let bytes: Buffer;
      try {
        const token = await options.tokens.getToken();
        response = await fetchImpl(url, {
          method,
          headers: headersFor(req, token),
          body: req.json !== undefined ? JSON.stringify(req.json) : req.body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        bytes = await readBody(response, response.ok ? req.maxBytes : undefined);
      } catch (error) {
        release();
        if (error instanceof CodedError) throw error;
        report({
          method,
          path,
          status: 'network_error',
          attempt,
          durationMs: Date.now() - started,
        });
        if (attempt >= maxAttempts) {
          throw new GraphRequestError(
            `Graph ${method} ${path}: ${(error as Error).name === 'TimeoutError' ? 'timed out' : 'unreachable'}`,
            'MAILBOX_UNAVAILABLE',
          );
        }
        await sleep(backoffDelay(attempt, backoff));
        continue;
      }
      const status = response.status;
      const advised = THROTTLED.has(status)
        ? retryAfterMs(response.headers.get('retry-after'))
        : undefined;
      const delay = advised ?? backoffDelay(attempt, backoff);
      // Retry-After is the mailbox's, not this call's; a bare 429 is the mailbox's too. The pause
      // is set before the slot is freed, or a queued call would take the slot and go out at once.
      if (advised !== undefined || status === 429) limiter.pauseUntil(Date.now() + delay);
      release();
      report({ method, path, status, attempt, durationMs: Date.now() - started });
      if (status >= 200 && status < 300)
        return { status, headers: response.headers, body: parse<T>(req, response, bytes) };
      if (status === 401 && !tokenRenewed) {
        // An expired or revoked token (InvalidAuthenticationToken): renew once, then carry on.
        tokenRenewed = true;
        await options.tokens.getToken({ forceRefresh: true });
        continue;
      }
      if (THROTTLED.has(status)) {
        if (attempt >= maxAttempts) {
          throw throttled(method, path, Math.max(delay, limiter.pausedUntil - Date.now()), status);
        }
        if (advised === undefined && status !== 429) await sleep(delay);
        continue;
      }
      throw errorForStatus(
        method,
        path,
        status,
        bytes.toString('utf8'),
        req.failureCode ?? 'MAILBOX_UNAVAILABLE',
      );
    }
  }

  async function getJson<T>(path: string): Promise<T> {
    const { body } = await request<T>({ path });
    if (body === undefined) {
      throw new GraphRequestError(
        `Graph GET ${urlOf(path).pathname}: empty answer`,
        'MAILBOX_UNAVAILABLE',
      );
    }
    return body;
  }

  async function* pages<T>(path: string): AsyncGenerator<GraphPage<T>> {
    let next: string | undefined = path;
    while (next) {
      const page: Record<string, unknown> = await getJson(next);
      next = typeof page['@odata.nextLink'] === 'string' ? page['@odata.nextLink'] : undefined;
      const deltaLink = page['@odata.deltaLink'];
      yield {
        value: Array.isArray(page.value) ? (page.value as T[]) : [],
        nextLink: next,
        deltaLink: typeof deltaLink === 'string' ? deltaLink : undefined,
      };
    }
  }

  return {
    request,
    getJson,
    async getBytes(path) {
      const { body } = await request<Buffer>({ path, responseType: 'bytes' });
      return body ?? Buffer.alloc(0);
    },
    pages,
    limiter,
  };
}

function headersFor(req: GraphRequest, token: string): Record<string, string> {
  const headers: Record<string, string> = { ...req.headers, authorization: `Bearer ${token}` };
  // Immutable ids survive moves between folders; asked for on every call so no id ever differs.
  const prefer = req.headers?.prefer ?? req.headers?.Prefer;
  delete headers.Prefer;
  headers.prefer = prefer ? `IdType="ImmutableId", ${prefer}` : 'IdType="ImmutableId"';
  if (req.json !== undefined) headers['content-type'] = 'application/json';
  else if (req.contentType) headers['content-type'] = req.contentType;
  return headers;
}

function parse<T>(req: GraphRequest, response: Response, bytes: Buffer): T | undefined {
  if (response.status === 204 || bytes.length === 0) return undefined;
  if (req.responseType === 'bytes') return bytes as T;
  if (!/json/i.test(response.headers.get('content-type') ?? '')) return undefined;
  try {
    return JSON.parse(bytes.toString('utf8')) as T;
  } catch {
    throw new GraphRequestError(
      `Graph answered invalid JSON (${response.status})`,
      'MAILBOX_UNAVAILABLE',
    );
  }
}
