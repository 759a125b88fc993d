export interface ThrottleRule {
  /** how many of the next requests (matching `path`) fail */
  count: number;
  /** 429 Too Many Requests by default; 503/504 as Outlook also sends */
  status?: 429 | 503 | 504;
  /** seconds, fractional allowed; null or absent = no Retry-After header */
  retryAfterSeconds?: number | null;
  /** only requests whose path matches */
  path?: RegExp;
  /** the error code, e.g. 'MailboxInfoStale' for a 503; TooManyRequests / ServiceUnavailable by default */
  code?: string;
}

export interface GraphRequestRecord {
  method: string;
  path: string;
  mailbox: string | undefined;
  at: number;
  status?: number;
}

export interface RetryAfterViolation {
  method: string;
  path: string;
  mailbox: string;
  at: number;
  /** when the window announced by an earlier Retry-After ends */
  windowEndsAt: number;
}

export interface GraphStats {
  requests: GraphRequestRecord[];
  /** the most requests in flight at once for one mailbox */
  maxConcurrent: number;
  throttled: number;
  unavailable: number;
  /** requests that arrived while a Retry-After the fake announced for their mailbox still ran */
  retryAfterViolations: RetryAfterViolation[];
}

export type Admission =
  | { ok: true; release: () => void }
  | { ok: false; status: number; code: string; message: string; retryAfterSeconds?: number };

/**
 * Outlook's throttling for one app, mailbox by mailbox: injected 429/503 storms, the limit of
 * four concurrent requests per mailbox, and a record of whether clients honoured Retry-After
 * (learn.microsoft.com/graph/throttling-limits, "Outlook service limits").
 */
export class GraphThrottle {
  concurrencyLimit = 4;
  /** Retry-After sent with a concurrency 429 */
  concurrencyRetryAfterSeconds = 1;
  readonly stats: GraphStats = {
    requests: [],
    maxConcurrent: 0,
    throttled: 0,
    unavailable: 0,
    retryAfterViolations: [],
  };
  private readonly rules: ThrottleRule[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly windows = new Map<string, number>();

  inject(rule: ThrottleRule): void {
    this.rules.push({ ...rule });
  }

  clear(): void {
    this.rules.length = 0;
    this.windows.clear();
  }

  inFlightFor(mailbox: string): number {
    return this.inFlight.get(mailbox) ?? 0;
  }

  /** Decides whether a request may run; the caller must call release() when it has answered. */
  admit(record: GraphRequestRecord): Admission {
    const key = record.mailbox ?? '*';
    const now = record.at;
    const windowEndsAt = this.windows.get(key);
    if (windowEndsAt !== undefined && now < windowEndsAt) {
      this.stats.retryAfterViolations.push({
        method: record.method,
        path: record.path,
        mailbox: key,
        at: now,
        windowEndsAt,
      });
      // Outlook keeps refusing a client that comes back early.
      return this.refuse(key, 429, 'TooManyRequests', (windowEndsAt - now) / 1000);
    }

    const ruleIndex = this.rules.findIndex((r) => !r.path || r.path.test(record.path));
    const rule = this.rules[ruleIndex];
    if (rule) {
      rule.count--;
      if (rule.count <= 0) this.rules.splice(ruleIndex, 1);
      const status = rule.status ?? 429;
      const code = rule.code ?? (status === 429 ? 'TooManyRequests' : 'ServiceUnavailable');
      return this.refuse(key, status, code, rule.retryAfterSeconds ?? undefined);
    }

    const current = this.inFlightFor(key);
    if (record.mailbox !== undefined && current >= this.concurrencyLimit) {
      return this.refuse(
        key,
        429,
        'ApplicationThrottled',
        this.concurrencyRetryAfterSeconds,
        'Application is over its MailboxConcurrency limit.',
      );
    }
    this.inFlight.set(key, current + 1);
    if (record.mailbox !== undefined) {
      this.stats.maxConcurrent = Math.max(this.stats.maxConcurrent, current + 1);
    }
    let released = false;
    return {
      ok: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight.set(key, this.inFlightFor(key) - 1);
      },
    };
  }

  private refuse(
    key: string,
    status: number,
    code: string,
    retryAfterSeconds: number | undefined,
    message = status === 429
      ? 'Too many requests. Please retry after the time in the Retry-After header.'
      : 'The service is temporarily unavailable.',
  ): Admission {
    if (status === 429) this.stats.throttled++;
    else this.stats.unavailable++;
    if (retryAfterSeconds !== undefined) {
      // Whole milliseconds, rounded up: a client waiting exactly the header's value is on time.
      retryAfterSeconds = Math.ceil(retryAfterSeconds * 1000) / 1000;
      const endsAt = Date.now() + retryAfterSeconds * 1000;
      this.windows.set(key, Math.max(this.windows.get(key) ?? 0, endsAt));
    }
    return {
      ok: false,
      status,
      code,
      message,
      ...(retryAfterSeconds !== undefined ? { retryAfterSeconds } : {}),
    };
  }
}
