/** How big and how long a chaos run is; `pnpm chaos` runs FULL, CI runs SHORT. */
export interface ChaosProfile {
  name: string;
  /** answers to distinct seeded requests, appended to the mailbox while the chaos goes on */
  answers: number;
  /** requests created through the sender's HTTP API meanwhile (SMTP traffic) */
  apiRequests: number;
  /** how long answers and requests keep coming; every chaos action falls inside */
  feedMs: number;
  /** the engine answering 500 and hanging (until RC_WEBHOOK_TIMEOUT) */
  sickMs: number;
  smtpRefuseMs: number;
  /** an engine outage longer than the retry budget, followed by `rc dlq replay --all` */
  outageMs: number;
  /** RC_RETRY_ATTEMPTS, RC_RETRY_BASE_DELAY: the budget sickMs fits in and outageMs does not */
  retry: { attempts: number; baseDelay: string };
  webhookTimeout: string;
  /** how long a killed process stays down before it is started again */
  restartDelayMs: number;
  drainTimeoutMs: number;
}

/**
 * Retry budget with 8 attempts from 1 s: 1+2+…+64 s = 127 s of backoff, at least ~89 s with
 * BullMQ's 30 % jitter; a sick minute fits, a 150 s outage does not.
 */
export const FULL_PROFILE: ChaosProfile = {
  name: 'full',
  answers: 1000,
  apiRequests: 60,
  feedMs: 240_000,
  sickMs: 60_000,
  smtpRefuseMs: 30_000,
  outageMs: 150_000,
  retry: { attempts: 8, baseDelay: '1s' },
  webhookTimeout: '5s',
  restartDelayMs: 1_000,
  drainTimeoutMs: 240_000,
};

/** CI: the same actions, scaled down (budget 0.3+0.6+1.2+2.4 s ≈ 3–4.5 s: sick and refusing 2.5 s, outage 9 s). */
export const SHORT_PROFILE: ChaosProfile = {
  name: 'short',
  answers: 100,
  apiRequests: 10,
  feedMs: 25_000,
  sickMs: 2_500,
  smtpRefuseMs: 2_500,
  outageMs: 9_000,
  retry: { attempts: 5, baseDelay: '300ms' },
  webhookTimeout: '1s',
  restartDelayMs: 300,
  drainTimeoutMs: 45_000,
};

/** mulberry32: a seeded PRNG, so a run's moments can be replayed with `--seed`. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
