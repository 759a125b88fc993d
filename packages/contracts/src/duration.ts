const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/**
 * The grammar of every duration the product reads: RC_ variables (`RC_REQUEST_TTL=7d`) and
 * request fields (`remindAfter: "4h"`). It lives here, beside the schemas, so the intake's
 * validation and the configuration can never disagree about what `1d` means.
 */
export const DURATION_PATTERN = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)?\s*$/i;

/** `30s`, `5m`, `7d`, `250ms`; a bare number is seconds. Returns null when unreadable. */
export function parseDuration(text: string): number | null {
  const match = DURATION_PATTERN.exec(text);
  if (!match?.[1]) return null;
  const unit = (match[2] ?? 's').toLowerCase();
  const factor = UNIT_MS[unit];
  return factor === undefined ? null : Math.round(Number(match[1]) * factor);
}
