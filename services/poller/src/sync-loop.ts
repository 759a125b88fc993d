import { errorCodeOf } from '@rc/contracts';
import { backoffWithJitter, metrics, type Logger, type PollerConfig } from '@rc/runtime';
import { retryAfterMsOf, type MailboxSource } from './adapters/mailbox-source';

/** Why a sync ran: the label of rc_mailbox_syncs_total. */
export type SyncTrigger =
  'startup' | 'reconnect' | 'new-mail' | 'interval' | 'poll' | 'backlog' | 'retry';

export interface SyncLoopTiming {
  /** first wait after a failed connect; doubles per failure up to `reconnectMaxMs` */
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** first wait after a failed sync; doubles up to `syncRetryMaxMs`, and never past the sweep */
  syncRetryBaseMs: number;
  syncRetryMaxMs: number;
  /** the longest "retry after" honoured: a provider's hint of an hour must not park the mailbox */
  retryAfterCapMs: number;
  /** in [0, 1); jitter keeps replicas that failed together from retrying together */
  random: () => number;
}

export const DEFAULT_SYNC_LOOP_TIMING: SyncLoopTiming = Object.freeze({
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 60_000,
  syncRetryBaseMs: 1_000,
  syncRetryMaxMs: 5 * 60_000,
  retryAfterCapMs: 5 * 60_000,
  random: Math.random,
});

export interface SyncLoopOptions {
  source: MailboxSource;
  /** one batch: list, fetch, queue, remove; resolves to how many messages it handled */
  syncBatch: () => Promise<number>;
  poller: Pick<PollerConfig['poller'], 'startupDelayMs' | 'syncIntervalMs' | 'batchSize'>;
  logger: Logger;
  timing?: Partial<SyncLoopTiming>;
}

type ConnectionState = 'disconnected' | 'connecting' | 'connected';

/**
 * When the poller syncs. One sync at a time; triggers during a sync coalesce into one
 * follow-up; a full batch is followed at once by the next (backlog). After every sync one timer
 * holds the next one: the sweep (RC_SYNC_INTERVAL, or the source's shorter poll) that catches
 * whatever a lost notification missed, or — after a failure — the retry. Until that retry
 * (`notBefore`) no trigger syncs: a provider that said "retry after N ms" is not asked sooner,
 * and a broken dependency is not hammered by every IDLE wake-up. Nothing syncs before
 * RC_STARTUP_DELAY has passed; a lost connection is re-made with backoff.
 */
export class SyncLoop {
  private readonly timing: SyncLoopTiming;
  private readonly sweep: { ms: number; trigger: SyncTrigger };
  private connection: ConnectionState = 'disconnected';
  /** false until RC_STARTUP_DELAY has passed; connecting (and IDLE) start before */
  private started = false;
  private stopped = false;
  private syncing: Promise<void> | undefined;
  private connecting: Promise<void> | undefined;
  /** a trigger that arrived during a sync or before `notBefore`: one follow-up sync */
  private pending: SyncTrigger | undefined;
  /** epoch ms before which no sync runs (failure backoff or the provider's retry-after) */
  private notBefore = 0;
  private syncFailures = 0;
  private connectFailures = 0;
  /** the last connect failure logged at warn: the same one again is retried quietly */
  private lastConnectError: string | undefined;
  private startupTimer: NodeJS.Timeout | undefined;
  private nextSyncTimer: NodeJS.Timeout | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: SyncLoopOptions) {
    this.timing = { ...DEFAULT_SYNC_LOOP_TIMING, ...options.timing };
    const { syncIntervalMs } = options.poller;
    const pollMs = options.source.pollIntervalMs;
    this.sweep =
      pollMs !== undefined && pollMs < syncIntervalMs
        ? { ms: pollMs, trigger: 'poll' }
        : { ms: syncIntervalMs, trigger: 'interval' };
  }

  /** Connects (a failure is retried in the background) and starts the startup delay. */
  async start(): Promise<void> {
    await this.connect();
    this.startupTimer = setTimeout(() => {
      this.started = true;
      this.requestSync('startup');
    }, this.options.poller.startupDelayMs);
  }

  /** Stops every timer, lets a running sync finish, then closes the source. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.startupTimer);
    clearTimeout(this.nextSyncTimer);
    clearTimeout(this.reconnectTimer);
    await this.connecting;
    await this.syncing;
    await this.options.source.close();
  }

  requestSync(trigger: SyncTrigger): void {
    if (this.stopped || !this.started || this.connection !== 'connected') return;
    if (this.syncing) {
      this.pending ??= trigger;
      return;
    }
    if (Date.now() < this.notBefore) {
      this.pending ??= trigger;
      this.armNextSync();
      return;
    }
    clearTimeout(this.nextSyncTimer);
    this.nextSyncTimer = undefined;
    this.syncing = this.drain(trigger);
  }

  private async drain(first: SyncTrigger): Promise<void> {
    let next: SyncTrigger | undefined = first;
    while (next && this.canSync()) {
      this.pending = undefined;
      await this.syncOnce(next);
      next = this.pending;
      if (Date.now() < this.notBefore) break; // the follow-up waits for the retry timer
    }
    this.syncing = undefined;
    if (!this.canSync()) return;
    this.options.source.watch();
    this.armNextSync();
  }

  private canSync(): boolean {
    return !this.stopped && this.connection === 'connected';
  }

  private async syncOnce(trigger: SyncTrigger): Promise<void> {
    const { logger, poller } = this.options;
    try {
      const handled = await this.options.syncBatch();
      this.syncFailures = 0;
      metrics.mailboxSyncs.inc({ trigger, result: 'ok' });
      metrics.mailboxLastSyncSuccess.set(Date.now() / 1000);
      if (handled > 0) logger.info({ trigger, handled }, 'mailbox batch queued');
      // A full batch means more may be waiting: the next batch follows at once.
      if (handled >= poller.batchSize) this.pending ??= 'backlog';
    } catch (error) {
      this.syncFailures += 1;
      const throttled = retryAfterMsOf(error) !== undefined;
      const waitMs = this.waitAfter(error, this.syncFailures, {
        baseMs: this.timing.syncRetryBaseMs,
        // Waiting longer than the sweep would make a failure slower than no news at all.
        maxMs: Math.min(this.timing.syncRetryMaxMs, poller.syncIntervalMs),
      });
      this.notBefore = Date.now() + waitMs;
      this.pending ??= 'retry';
      metrics.mailboxSyncs.inc({ trigger, result: throttled ? 'throttled' : 'error' });
      logger.warn(
        { trigger, code: errorCodeOf(error), err: messageOf(error), retryInMs: waitMs },
        throttled ? 'mailbox provider asked to retry later' : 'mailbox sync failed',
      );
    }
  }

  /** One timer for the next sync: the retry when one is due, else the sweep. */
  private armNextSync(): void {
    clearTimeout(this.nextSyncTimer);
    const waitMs = this.notBefore - Date.now();
    const retrying = waitMs > 0;
    this.nextSyncTimer = setTimeout(
      () => {
        this.nextSyncTimer = undefined;
        this.requestSync(retrying ? (this.pending ?? 'retry') : this.sweep.trigger);
      },
      retrying ? waitMs : this.sweep.ms,
    );
  }

  private connect(): Promise<void> {
    this.connecting ??= this.tryConnect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async tryConnect(): Promise<void> {
    if (this.stopped) return;
    const { source, logger } = this.options;
    this.connection = 'connecting';
    try {
      await source.connect(
        () => this.requestSync('new-mail'),
        (error) => this.connectionLost(error),
      );
    } catch (error) {
      this.connection = 'disconnected';
      await source.close().catch(() => undefined);
      this.scheduleReconnect(error);
      return;
    }
    this.connection = 'connected';
    this.connectFailures = 0;
    this.lastConnectError = undefined;
    if (this.stopped) return;
    logger.info({ mailbox: source.name }, 'mailbox connected');
    if (this.started) this.requestSync('reconnect');
    else source.watch();
  }

  private connectionLost(error: Error | undefined): void {
    if (this.connection !== 'connected' || this.stopped) return;
    this.connection = 'disconnected';
    clearTimeout(this.nextSyncTimer);
    this.nextSyncTimer = undefined;
    this.options.logger.warn({ err: error?.message }, 'mailbox connection closed, reconnecting');
    this.scheduleReconnect(undefined);
  }

  private scheduleReconnect(error: unknown): void {
    if (this.stopped || this.reconnectTimer) return;
    this.connectFailures += 1;
    const waitMs = this.waitAfter(error, this.connectFailures, {
      baseMs: this.timing.reconnectBaseMs,
      maxMs: this.timing.reconnectMaxMs,
    });
    if (error !== undefined) {
      // Bad credentials stay bad until someone fixes them: one warning, the retries at debug.
      const err = messageOf(error);
      const level = err === this.lastConnectError ? 'debug' : 'warn';
      this.lastConnectError = err;
      this.options.logger[level](
        { code: errorCodeOf(error), err, retryInMs: waitMs },
        'mailbox connection failed',
      );
    }
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      void this.connect();
    }, waitMs);
  }

  /** After the n-th failure in a row: what the provider asked for (capped), else backoff. */
  private waitAfter(
    error: unknown,
    failures: number,
    backoff: { baseMs: number; maxMs: number },
  ): number {
    const retryAfterMs = retryAfterMsOf(error);
    if (retryAfterMs !== undefined) return Math.min(retryAfterMs, this.timing.retryAfterCapMs);
    return backoffWithJitter(failures, backoff, this.timing.random);
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
