import { storeKeys, type StoreKeys } from '@rc/store';
import { RedisScript } from '@rc/runtime';
import type { Redis } from 'ioredis';

export interface RateLimitSettings {
  max: number;
  durationMs: number;
}

// A sliding-window log per sender: one sorted-set member per processed message, scored by time.
// The member is the inboundId, so a verifier retry of the same message is not counted twice,
// and a message over the limit is not added (the set never grows beyond `max`).
const TAKE = new RedisScript<number>(
  'sender-rate-limit',
  `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1] - ARGV[2])
if redis.call('ZSCORE', KEYS[1], ARGV[4]) then return 1 end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
`,
);

/**
 * How many inbound emails one sender may have processed per window (RC_SENDER_RATE_LIMIT).
 * Shared by all verifier replicas through Redis.
 */
export class SenderRateLimiter {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    readonly settings: RateLimitSettings,
  ) {
    this.keys = storeKeys(prefix);
  }

  /** Counts this message against the sender; false when the sender is over the limit. */
  async take(sender: string, inboundId: string, now: Date): Promise<boolean> {
    const allowed = await TAKE.run(
      this.redis,
      [this.keys.senderRateLimit(sender)],
      [now.getTime(), this.settings.durationMs, this.settings.max, inboundId],
    );
    return allowed === 1;
  }
}
