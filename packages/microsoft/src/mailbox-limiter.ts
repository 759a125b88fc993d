/**
 * Outlook throttles per app and mailbox: 4 concurrent requests, and a 429's Retry-After applies
 * to the mailbox, not to the one call that got it. So every Graph call for a mailbox passes
 * this gate: at most `maxConcurrent` in flight, and none at all while the mailbox is paused —
 * whether the call was queued before the 429 arrived or started after it.
 */
export interface MailboxLimiter {
  /** Waits for a slot outside any pause; call the returned function when the request ends. */
  acquire(): Promise<() => void>;
  /** Holds every queued and new call until `untilMs` (epoch ms); never shortens a pause. */
  pauseUntil(untilMs: number): void;
  /** Epoch ms the mailbox is paused until (0 or past = not paused). */
  readonly pausedUntil: number;
  readonly inFlight: number;
}

export function createMailboxLimiter(maxConcurrent = 4): MailboxLimiter {
  const waiting: Array<() => void> = [];
  let inFlight = 0;
  let pausedUntil = 0;
  let timer: NodeJS.Timeout | undefined;

  function pump(): void {
    const wait = pausedUntil - Date.now();
    if (wait > 0) {
      if (!timer) {
        timer = setTimeout(() => {
          timer = undefined;
          pump();
        }, wait);
      }
      return;
    }
    while (inFlight < maxConcurrent && waiting.length > 0) {
      inFlight++;
      waiting.shift()?.();
    }
  }

  function release(): void {
    inFlight--;
    pump();
  }

  return {
    get pausedUntil() {
      return pausedUntil;
    },
    get inFlight() {
      return inFlight;
    },
    acquire() {
      return new Promise((resolve) => {
        waiting.push(() => {
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            release();
          });
        });
        pump();
      });
    },
    pauseUntil(untilMs) {
      if (untilMs <= pausedUntil) return;
      pausedUntil = untilMs;
      if (timer) clearTimeout(timer);
      timer = undefined;
      pump();
    },
  };
}

const limiters = new Map<string, MailboxLimiter>();

/**
 * One limiter per mailbox per process: in `pnpm start` the poller and the sender share the
 * mailbox's budget, as Outlook counts it.
 */
export function mailboxLimiter(key: string, maxConcurrent = 4): MailboxLimiter {
  let limiter = limiters.get(key);
  if (!limiter) {
    limiter = createMailboxLimiter(maxConcurrent);
    limiters.set(key, limiter);
  }
  return limiter;
}
