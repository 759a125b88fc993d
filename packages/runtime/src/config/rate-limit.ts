import { parseDuration } from '../duration';

/** `max` events per `durationMs`, e.g. `20/1h`. */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/** `20/1h`, `200/1s`; `off` (or `0`) switches the limit off. Returns undefined when unreadable. */
export function parseRateLimit(text: string): RateLimit | null | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'off' || value === '0') return null;
  const match = /^(\d+)\s*\/\s*(\S+)$/.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  const max = Number(match[1]);
  const durationMs = parseDuration(match[2]);
  if (!Number.isSafeInteger(max) || max < 1 || durationMs === null || durationMs < 1)
    return undefined;
  return { max, durationMs };
}
