import { CodedError } from '@rc/contracts';
import { createLogger } from '@rc/runtime';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { MailboxRetryAfterError, type MailboxSource } from '../src/adapters/mailbox-source';
import { SyncLoop, type SyncLoopTiming } from '../src/sync-loop';

/**
 * The sync loop alone, over a fake source and a scripted batch function, on fake timers: every
 * assertion is about *when* a sync runs, measured in fake milliseconds since the test began.
 */

type Outcome = number | Error | Promise<number>;

interface Rig {
  loop: SyncLoop;
  /** fake-clock times (ms since start) at which a sync began */
  syncs: number[];
  connects: number;
  closes: number;
  watches: number;
  /** what the source's onNewMail / onClose are, once connected */
  notify(): void;
  drop(): void;
}

const logger = createLogger({ service: 'sync-loop-test', level: 'silent' });
let t0 = 0;
const elapsed = () => Date.now() - t0;

beforeEach(() => {
  vi.useFakeTimers();
  t0 = Date.now();
});
afterEach(() => {
  vi.useRealTimers();
});

function rig(
  options: {
    outcomes?: Outcome[];
    connectOutcomes?: (Error | undefined)[];
    startupDelayMs?: number;
    syncIntervalMs?: number;
    batchSize?: number;
    pollIntervalMs?: number;
    timing?: Partial<SyncLoopTiming>;
  } = {},
): Rig {
  const outcomes = [...(options.outcomes ?? [])];
  const connectOutcomes = [...(options.connectOutcomes ?? [])];
  let onNewMail = () => undefined as void;
  let onClose: (error?: Error) => void = () => undefined;
  const state = { connects: 0, closes: 0, watches: 0 };
  const syncs: number[] = [];
  const source: MailboxSource = {
    kind: 'graph',
    name: 'fake/inbox',
    ...(options.pollIntervalMs ? { pollIntervalMs: options.pollIntervalMs } : {}),
    async connect(newMail, closed) {
      state.connects += 1;
      const error = connectOutcomes.shift();
      if (error) throw error;
      onNewMail = newMail;
      onClose = closed;
    },
    list: () => Promise.reject(new Error('the loop never lists by itself')),
    fetch: () => Promise.reject(new Error('the loop never fetches by itself')),
    remove: () => Promise.reject(new Error('the loop never removes by itself')),
    watch() {
      state.watches += 1;
    },
    check: async () => undefined,
    async close() {
      state.closes += 1;
    },
  };
  const loop = new SyncLoop({
    source,
    syncBatch: async () => {
      syncs.push(elapsed());
      const outcome = outcomes.shift() ?? 0;
      if (outcome instanceof Error) throw outcome;
      return outcome;
    },
    poller: {
      startupDelayMs: options.startupDelayMs ?? 0,
      syncIntervalMs: options.syncIntervalMs ?? 60_000,
      batchSize: options.batchSize ?? 50,
    },
    logger,
    // A fixed jitter draw makes each backoff exact: 0.5 → three quarters of the ceiling.
    timing: { random: () => 0.5, ...options.timing },
  });
  return {
    loop,
    syncs,
    get connects() {
      return state.connects;
    },
    get closes() {
      return state.closes;
    },
    get watches() {
      return state.watches;
    },
    notify: () => onNewMail(),
    drop: () => onClose(new Error('connection reset')),
  };
}

describe('SyncLoop', () => {
  it('syncs nothing before the startup delay, not even on new mail, then once, then every interval', async () => {
    const r = rig({ startupDelayMs: 2_000, syncIntervalMs: 10_000 });
    await r.loop.start();
    expect(r.connects).toBe(1);
    expect(r.watches).toBe(1); // connected and watching during the delay
    r.notify();
    await vi.advanceTimersByTimeAsync(1_999);
    expect(r.syncs).toEqual([]);

    await vi.advanceTimersByTimeAsync(1);
    expect(r.syncs).toEqual([2_000]);
    await vi.advanceTimersByTimeAsync(25_000);
    expect(r.syncs).toEqual([2_000, 12_000, 22_000]);
    await r.loop.stop();
  });

  it('picks up new mail at once, and triggers during a sync coalesce into one follow-up', async () => {
    let finish: (handled: number) => void = () => undefined;
    const slow = new Promise<number>((resolve) => (finish = resolve));
    const r = rig({ outcomes: [0, slow, 0] });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.syncs).toEqual([0]);

    await vi.advanceTimersByTimeAsync(500);
    r.notify();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.syncs).toEqual([0, 500]);
    r.notify();
    r.notify();
    r.notify();
    await vi.advanceTimersByTimeAsync(300);
    expect(r.syncs).toEqual([0, 500]);
    finish(1);
    await vi.advanceTimersByTimeAsync(0);
    expect(r.syncs).toEqual([0, 500, 800]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.syncs).toHaveLength(3);
    await r.loop.stop();
  });

  it('follows a full batch at once with the next, until a batch is not full', async () => {
    const r = rig({ batchSize: 50, outcomes: [50, 50, 20] });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.syncs).toEqual([0, 0, 0]);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(r.syncs).toHaveLength(3);
    await r.loop.stop();
  });

  it('waits as long as the provider said before syncing again, whatever triggers it', async () => {
    const r = rig({
      syncIntervalMs: 5_000,
      outcomes: [new MailboxRetryAfterError('429 from Graph', 20_000), 0],
    });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(r.syncs).toEqual([0]);
    // New mail and two sweep intervals come and go: the provider said 20 s.
    for (let at = 1_000; at < 20_000; at += 1_000) {
      r.notify();
      await vi.advanceTimersByTimeAsync(1_000);
    }
    expect(r.syncs).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1_000);
    expect(r.syncs).toEqual([0, 20_000]);
    // Then back to the sweep.
    await vi.advanceTimersByTimeAsync(5_000);
    expect(r.syncs).toEqual([0, 20_000, 25_000]);
    await r.loop.stop();
  });

  it('honours a retry-after from any PROVIDER_THROTTLED error, capped', async () => {
    const foreign = Object.assign(new CodedError('Graph throttled', 'PROVIDER_THROTTLED'), {
      retryAfterMs: 3_000,
    });
    const r = rig({
      outcomes: [foreign, new MailboxRetryAfterError('retry in an hour', 3_600_000), 0],
      timing: { retryAfterCapMs: 60_000 },
    });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(2_999);
    expect(r.syncs).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.syncs).toEqual([0, 3_000]);
    await vi.advanceTimersByTimeAsync(59_999);
    expect(r.syncs).toEqual([0, 3_000]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.syncs).toEqual([0, 3_000, 63_000]);
    await r.loop.stop();
  });

  it('backs off after failures, capped by the sweep interval, and starts over after a success', async () => {
    const failure = () => new Error('Redis is down');
    const r = rig({
      syncIntervalMs: 10_000,
      timing: { syncRetryBaseMs: 1_000 },
      outcomes: [failure(), failure(), failure(), failure(), failure(), 0, failure(), 0],
    });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(60_000);
    const gaps = r.syncs.slice(1).map((at, i) => at - r.syncs[i]!);
    // ¾ of 1, 2, 4, 8 s, then of the 10 s cap; the sweep after the success; 750 ms again.
    expect(gaps.slice(0, 7)).toEqual([750, 1_500, 3_000, 6_000, 7_500, 10_000, 750]);
    await r.loop.stop();
  });

  it('a failure defers new-mail syncs too, instead of a tight retry on every notification', async () => {
    const r = rig({ outcomes: [new Error('broken'), 0] });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(0);
    for (let i = 0; i < 20; i++) {
      r.notify();
      await vi.advanceTimersByTimeAsync(10);
    }
    expect(r.syncs).toEqual([0]);
    await vi.advanceTimersByTimeAsync(550);
    expect(r.syncs).toEqual([0, 750]);
    await r.loop.stop();
  });

  it('retries a failed connect with backoff, honours a retry-after there, then syncs', async () => {
    const r = rig({
      connectOutcomes: [
        new Error('ECONNREFUSED'),
        new MailboxRetryAfterError('try again in 30 s', 30_000),
        undefined,
      ],
      timing: { reconnectBaseMs: 1_000 },
    });
    await r.loop.start();
    expect(r.connects).toBe(1);
    expect(r.closes).toBe(1); // a half-open connection is closed before the retry
    await vi.advanceTimersByTimeAsync(750);
    expect(r.connects).toBe(2);
    await vi.advanceTimersByTimeAsync(29_999);
    expect(r.connects).toBe(2);
    expect(r.syncs).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.connects).toBe(3);
    expect(r.syncs).toEqual([30_750]);
    await r.loop.stop();
  });

  it('reconnects after a lost connection and syncs at once', async () => {
    const r = rig({ timing: { reconnectBaseMs: 2_000 } });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(100);
    expect(r.syncs).toEqual([0]);
    r.drop();
    r.notify(); // a late event from the dead connection syncs nothing
    await vi.advanceTimersByTimeAsync(1_499);
    expect(r.connects).toBe(1);
    expect(r.syncs).toEqual([0]);
    await vi.advanceTimersByTimeAsync(1);
    expect(r.connects).toBe(2);
    expect(r.syncs).toEqual([0, 1_600]);
    await r.loop.stop();
  });

  it('syncs every pollIntervalMs for a poll-driven source when that is shorter than the sweep', async () => {
    const r = rig({ pollIntervalMs: 2_000, syncIntervalMs: 30_000 });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(7_000);
    expect(r.syncs).toEqual([0, 2_000, 4_000, 6_000]);
    await r.loop.stop();
  });

  it('stop() lets the running sync finish, closes the source, and nothing runs afterwards', async () => {
    let finish: (handled: number) => void = () => undefined;
    const slow = new Promise<number>((resolve) => (finish = resolve));
    const r = rig({ syncIntervalMs: 1_000, outcomes: [slow] });
    await r.loop.start();
    await vi.advanceTimersByTimeAsync(0);
    let stopped = false;
    const stopping = r.loop.stop().then(() => (stopped = true));
    await vi.advanceTimersByTimeAsync(100);
    expect(stopped).toBe(false);
    expect(r.closes).toBe(0);
    finish(50);
    await stopping;
    expect(r.closes).toBe(1);
    await vi.advanceTimersByTimeAsync(10_000);
    r.notify();
    expect(r.syncs).toEqual([0]);
  });
});
