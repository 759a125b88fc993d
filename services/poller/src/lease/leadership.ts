import { errorCodeOf } from '@rc/contracts';
import { metrics, type Logger } from '@rc/runtime';
import type { MailboxLease } from './mailbox-lease';

export interface LeaseTiming {
  /** how long a term lasts without renewal: the takeover time after a kill -9 */
  ttlMs: number;
  /** the active poller renews this often, well inside the TTL */
  renewEveryMs: number;
  /** a standby looks this often whether the lease is free */
  standbyPollMs: number;
}

/**
 * Takeover within 5 s of a kill -9: at most the 3 s TTL plus one 0.5 s look of a standby, then
 * its connect and first sync. Renewing every second leaves two failed renewals in a row before
 * the active poller must assume its term is gone.
 */
export const DEFAULT_LEASE_TIMING: LeaseTiming = Object.freeze({
  ttlMs: 3_000,
  renewEveryMs: 1_000,
  standbyPollMs: 500,
});

export type PollerRole = 'leader' | 'standby';

export interface LeadershipOptions {
  lease: MailboxLease;
  /** the mailbox's name, the label of rc_poller_leader */
  mailbox: string;
  timing: LeaseTiming;
  logger: Logger;
  /** starts the active poller's work for a term; resolves to how to stop it */
  lead(token: number): Promise<() => Promise<void>>;
}

/**
 * Which replica is the active poller of a mailbox. Standbys only look at the lease; the one
 * holding it connects to the mailbox and syncs. A term ends when a renewal finds the lease
 * taken, when it cannot be confirmed before it may have expired (Redis unreachable), when the
 * fence before a removal fails, or on `stop()`, which hands the lease back.
 */
export class Leadership {
  private current: PollerRole = 'standby';
  private stopped = false;
  private running: Promise<void> | undefined;
  /** the active term's work, started without waiting so that renewals go on meanwhile */
  private work: Promise<() => Promise<void>> | undefined;
  /** when the last renewal that succeeded was sent: our term lasts at least until then + TTL */
  private confirmedAt = 0;
  private wake: (() => void) | undefined;
  private lastLookError: string | undefined;

  constructor(private readonly options: LeadershipOptions) {
    metrics.pollerLeader.set({ mailbox: options.mailbox }, 0);
  }

  get role(): PollerRole {
    return this.current;
  }

  /**
   * Looks once (and, when it takes the lease, starts the work and its first connect) before
   * resolving, so that a single poller's readiness says at once whether its mailbox is usable;
   * then keeps looking or renewing in the background.
   */
  async start(): Promise<void> {
    if (this.running) return;
    await this.look();
    await this.work;
    this.running = this.run();
  }

  /**
   * The fence a removal waits for: resolves while our term is current (and extends it), else
   * rejects with LEASE_LOST and ends the term at once instead of at the next renewal.
   */
  async fence(): Promise<void> {
    try {
      await this.options.lease.assertCurrent();
      this.confirmedAt = Date.now();
    } catch (error) {
      if (errorCodeOf(error) === 'LEASE_LOST' && this.current === 'leader') {
        this.current = 'standby';
        this.wake?.();
      }
      throw error;
    }
  }

  /** Stops looking, stops the active work (a running sync finishes) and hands the lease back. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    await this.running;
    if (this.work) await this.endTerm('stopping');
    await this.options.lease.release().catch((error: unknown) => {
      this.options.logger.warn(
        { code: errorCodeOf(error), err: messageOf(error) },
        'could not hand the mailbox lease back: a standby takes over when it expires',
      );
    });
  }

  private async run(): Promise<void> {
    const { timing } = this.options;
    while (!this.stopped) {
      if (this.current === 'standby' && this.work) await this.endTerm('lease lost');
      if (this.stopped) break;
      if (this.current === 'standby') {
        await this.look();
        if (this.current === 'standby') await this.sleep(timing.standbyPollMs);
      } else {
        await this.sleep(timing.renewEveryMs);
        if (!this.stopped && this.current === 'leader') await this.renew();
      }
    }
  }

  private async look(): Promise<void> {
    const { lease, logger, mailbox } = this.options;
    const sentAt = Date.now();
    let token: number | undefined;
    try {
      token = await lease.tryAcquire();
      this.lastLookError = undefined;
    } catch (error) {
      // One line per distinct failure, not one per look every half second.
      if (this.lastLookError !== messageOf(error))
        logger.warn(
          { code: errorCodeOf(error), err: messageOf(error) },
          'cannot read the mailbox lease',
        );
      this.lastLookError = messageOf(error);
      return;
    }
    if (token === undefined || this.stopped) return;
    this.current = 'leader';
    this.confirmedAt = sentAt;
    metrics.pollerLeader.set({ mailbox }, 1);
    metrics.pollerTakeovers.inc({ mailbox });
    logger.info({ mailbox, fencingToken: token }, 'this poller is now the active one');
    this.work = this.options.lead(token);
  }

  private async renew(): Promise<void> {
    const { lease, logger, timing } = this.options;
    const sentAt = Date.now();
    try {
      if (await lease.renew()) {
        this.confirmedAt = sentAt;
        return;
      }
      this.current = 'standby';
      logger.warn({ mailbox: this.options.mailbox }, 'the mailbox lease expired or was taken over');
    } catch (error) {
      // Until the next renewal could confirm it, the term may already have expired in Redis and
      // another replica may be active: step down now rather than later.
      if (Date.now() + timing.renewEveryMs < this.confirmedAt + timing.ttlMs) return;
      this.current = 'standby';
      lease.forget();
      logger.warn(
        { code: errorCodeOf(error), err: messageOf(error) },
        'the mailbox lease cannot be renewed: stepping down until Redis answers',
      );
    }
  }

  /** Stops the term's work; from here on nothing of it touches the mailbox. */
  private async endTerm(reason: string): Promise<void> {
    const work = this.work;
    this.work = undefined;
    this.current = 'standby';
    metrics.pollerLeader.set({ mailbox: this.options.mailbox }, 0);
    if (!work) return;
    this.options.logger.info(
      { mailbox: this.options.mailbox, reason },
      'this poller is a standby now',
    );
    try {
      await (
        await work
      )();
    } catch (error) {
      this.options.logger.warn({ err: messageOf(error) }, 'stopping the active poller failed');
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
