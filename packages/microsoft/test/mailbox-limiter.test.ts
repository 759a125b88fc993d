import { describe, expect, it } from 'vitest';
import { retryAfterMs } from '../src/backoff';
import { createMailboxLimiter } from '../src/mailbox-limiter';

describe('mailbox limiter', () => {
  it('holds queued and new callers until a pause ends, never shortening it', async () => {
    const limiter = createMailboxLimiter(4);
    const pausedAt = Date.now();
    limiter.pauseUntil(pausedAt + 300);
    limiter.pauseUntil(pausedAt + 100);
    const started: number[] = [];
    const calls = [0, 1, 2].map(async () => {
      const release = await limiter.acquire();
      started.push(Date.now());
      release();
    });
    await Promise.all(calls);
    expect(started).toHaveLength(3);
    for (const at of started) expect(at).toBeGreaterThanOrEqual(pausedAt + 295);
  });

  it('grants at most maxConcurrent slots', async () => {
    const limiter = createMailboxLimiter(2);
    const first = await limiter.acquire();
    await limiter.acquire();
    let third = false;
    const pending = limiter.acquire().then((release) => {
      third = true;
      return release;
    });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBe(false);
    first();
    first(); // a second release of the same slot is ignored
    (await pending)();
    expect(limiter.inFlight).toBe(1);
  });
});

describe('Retry-After', () => {
  it('reads seconds, fractional seconds and HTTP dates', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs('0.25')).toBe(250);
    const now = Date.parse('2024-01-01T00:00:00Z');
    expect(retryAfterMs('Mon, 01 Jan 2024 00:00:03 GMT', now)).toBe(3000);
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
  });
});
