/** How long a request's keys outlive its expiry, so late answers still get a precise reason. */
export const RETENTION_AFTER_EXPIRY_MS = 30 * 86_400_000;

/** When every key of this request may go (ms since the epoch, for PXAT / PEXPIREAT). */
export function keepUntil(request: { expiresAt: string }): number {
  return Date.parse(request.expiresAt) + RETENTION_AFTER_EXPIRY_MS;
}
