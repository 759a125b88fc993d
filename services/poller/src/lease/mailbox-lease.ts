import { CodedError } from '@rc/contracts';
import { RedisScript, type Redis } from '@rc/runtime';

/**
 * Takes the lease when nobody holds it, with a fencing token from a counter that only grows
 * (INCR, never expiring), so every term of every replica has its own token. The holder that
 * asks again gets its own token back (a renewal that failed on a Redis blip is not a loss).
 * KEYS: lease, fence. ARGV: owner, ttl ms. Returns the token, or nil when another holds it.
 */
const ACQUIRE = new RedisScript<number | null>(
  'lease-acquire',
  `
local held = redis.call('GET', KEYS[1])
if held then
  local colon = string.find(held, ':', 1, true)
  if colon and string.sub(held, colon + 1) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(string.sub(held, 1, colon - 1))
  end
  return false
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], token .. ':' .. ARGV[1], 'NX', 'PX', ARGV[2])
return token
`,
);

/** Extends the lease only while it still holds exactly our term. KEYS: lease. ARGV: value, ttl. */
const RENEW = new RedisScript<number>(
  'lease-renew',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`,
);

/** Hands the lease back only if it is still ours (delete-if-mine). KEYS: lease. ARGV: value. */
const RELEASE = new RedisScript<number>(
  'lease-release',
  `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`,
);

export interface MailboxLeaseKeys {
  lease: string;
  fence: string;
}

/**
 * One replica's handle on the Redis lease that makes it the active poller of a mailbox. Every
 * call is bounded by `timeoutMs`: a Redis that stops answering must not hold up the decision
 * to step down (a late answer is harmless: a late renewal extends a term that is ours, a late
 * acquisition is found again by the next `tryAcquire`, or expires).
 */
export class MailboxLease {
  private term: { token: number; value: string } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: MailboxLeaseKeys,
    /** unique per replica and start: a restarted process must not mistake an old term for its own */
    readonly owner: string,
    private readonly ttlMs: number,
    private readonly timeoutMs: number = Math.max(250, Math.floor(ttlMs / 3)),
  ) {}

  /** the fencing token of the term this replica holds, if any */
  get token(): number | undefined {
    return this.term?.token;
  }

  /** Takes the lease if it is free (or already ours): the term's fencing token, else undefined. */
  async tryAcquire(): Promise<number | undefined> {
    const answer = await this.bounded(
      ACQUIRE.run(this.redis, [this.keys.lease, this.keys.fence], [this.owner, this.ttlMs]),
    );
    if (answer === null || answer === undefined) return undefined;
    const token = Number(answer);
    this.term = { token, value: `${token}:${this.owner}` };
    return token;
  }

  /** Extends our term by the TTL: false when it expired or another replica holds the lease. */
  async renew(): Promise<boolean> {
    const term = this.term;
    if (!term) return false;
    const answer = await this.bounded(
      RENEW.run(this.redis, [this.keys.lease], [term.value, this.ttlMs]),
    );
    if (Number(answer) === 1) return true;
    if (this.term === term) this.term = undefined;
    return false;
  }

  /**
   * The fence before anything is removed from the mailbox: one atomic check that our term is
   * still the current one, which also extends it, so the removal that follows has a full TTL
   * in which no other replica can become active. Throws LEASE_LOST otherwise; a Redis error
   * propagates, and either way the caller removes nothing.
   */
  async assertCurrent(): Promise<number> {
    const token = this.term?.token;
    if (token === undefined || !(await this.renew()))
      throw new CodedError(
        `the mailbox lease was lost${token === undefined ? '' : ` (fencing token ${token})`}: another poller is active, nothing is removed`,
        'LEASE_LOST',
      );
    return token;
  }

  /** Hands the lease back if it is still ours, so a standby takes over at its next look. */
  async release(): Promise<void> {
    const term = this.term;
    this.term = undefined;
    if (term) await this.bounded(RELEASE.run(this.redis, [this.keys.lease], [term.value]));
  }

  /** Forgets our term without telling Redis (it expires on its own). */
  forget(): void {
    this.term = undefined;
  }

  private bounded<T>(command: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new CodedError(`Redis gave no answer within ${this.timeoutMs} ms`, 'REDIS_UNAVAILABLE'),
          ),
        this.timeoutMs,
      );
      command.then(
        (value) => (clearTimeout(timer), resolve(value)),
        (error: unknown) => (
          clearTimeout(timer),
          reject(error instanceof Error ? error : new Error(String(error)))
        ),
      );
    });
  }
}
