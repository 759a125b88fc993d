import { backoffWithJitter } from '@rc/runtime';

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 30_000 };

/** Capped exponential backoff with equal jitter (attempt 1 → between baseMs/2 and baseMs). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return backoffWithJitter(Math.max(1, attempt), { baseMs: policy.baseMs, maxMs: policy.capMs });
}

/**
 * Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date. Graph sends seconds, at times
 * fractional ("0.5"), which the RFC does not allow but we honour rather than ignore.
 */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value) * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
