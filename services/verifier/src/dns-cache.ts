import { promises as dns } from 'node:dns';

/** mailauth's resolver signature: `dns.resolve(name, rrtype)`. */
export type DnsResolver = (name: string, rrtype: string) => Promise<string[][] | string[]>;

export interface DnsCacheOptions {
  /** how long an answer is reused (Node's resolver does not expose record TTLs) */
  ttlMs: number;
  /** how long "no such record" is reused */
  negativeTtlMs: number;
  /** entries kept at most; the oldest go first */
  maxEntries: number;
  now?: () => number;
}

export const DEFAULT_DNS_CACHE: DnsCacheOptions = {
  ttlMs: 5 * 60_000,
  negativeTtlMs: 60_000,
  maxEntries: 10_000,
};

/** Codes that mean the record does not exist (an answer), as opposed to a failed lookup. */
const NEGATIVE_CODES = new Set(['ENOTFOUND', 'ENODATA']);

type Entry =
  { expiresAt: number; value: string[][] | string[] } | { expiresAt: number; error: Error };

/**
 * The system resolver with a short timeout: a DNS server that does not answer must not hold
 * a verifier job for minutes (c-ares defaults to 5 s × 4 tries). A failed lookup is a DKIM
 * `temperror`, which the verifier retries.
 */
export function systemResolver(timeoutMs = 3_000): DnsResolver {
  const resolver = new dns.Resolver({ timeout: timeoutMs, tries: 2 });
  return (name, rrtype) => resolver.resolve(name, rrtype) as Promise<string[][] | string[]>;
}

/**
 * Caches DNS answers in memory, so a burst of answers from one domain costs one key lookup and
 * a flood cannot turn into a flood of DNS queries. Answers and "does not exist" are cached;
 * failures (timeouts, SERVFAIL) are not, so they are retried. Concurrent lookups of one name
 * share one query.
 */
export function cachedResolver(
  resolve: DnsResolver,
  options: DnsCacheOptions = DEFAULT_DNS_CACHE,
): DnsResolver & { size(): number } {
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inFlight = new Map<string, Promise<string[][] | string[]>>();

  const remember = (key: string, entry: Entry): void => {
    entries.delete(key);
    entries.set(key, entry);
    while (entries.size > options.maxEntries) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
  };

  const cached = (async (name: string, rrtype: string) => {
    const key = `${rrtype.toUpperCase()} ${name.toLowerCase()}`;
    const hit = entries.get(key);
    if (hit && hit.expiresAt > now()) {
      if ('error' in hit) throw hit.error;
      return hit.value;
    }
    const pending = inFlight.get(key);
    if (pending) return pending;
    const lookup = (async () => {
      try {
        const value = await resolve(name, rrtype);
        remember(key, { expiresAt: now() + options.ttlMs, value });
        return value;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code && NEGATIVE_CODES.has(code))
          remember(key, { expiresAt: now() + options.negativeTtlMs, error: error as Error });
        throw error;
      } finally {
        inFlight.delete(key);
      }
    })();
    inFlight.set(key, lookup);
    return lookup;
  }) as DnsResolver & { size(): number };
  cached.size = () => entries.size;
  return cached;
}
