import { randomBytes } from 'node:crypto';
import { errorCodeOf } from '@rc/contracts';
import { graphPath, GraphRequestError, type GraphClient } from '@rc/microsoft';
import { backoffWithJitter, type Logger } from '@rc/runtime';
import { lifecycleUrlOf, type LifecycleEvent } from './graph-notifications';

export interface SubscriptionTiming {
  /** asked-for lifetime; Outlook messages allow at most 4,230 minutes */
  lifetimeMs: number;
  /** first wait after a failed create or renewal; doubles up to `retryMaxMs` */
  retryBaseMs: number;
  retryMaxMs: number;
}

export const DEFAULT_SUBSCRIPTION_TIMING: SubscriptionTiming = Object.freeze({
  // 4,230 minutes is the documented maximum; a few minutes less leaves room for clock skew.
  lifetimeMs: 4_220 * 60_000,
  retryBaseMs: 1_000,
  retryMaxMs: 60_000,
});

export interface GraphSubscriptionOptions {
  client: GraphClient;
  user: string;
  folder: string;
  notificationUrl: string;
  logger: Logger;
  /** sync the whole folder: after (re)subscribing and after a `missed` event */
  resync: () => void;
  timing?: Partial<SubscriptionTiming>;
}

interface SubscriptionResource {
  id: string;
  expirationDateTime: string;
}

/**
 * One change-notification subscription on the folder's new messages, kept alive: created in the
 * background (the poller's HTTP server, which must answer Graph's validation request, starts
 * only after the service has started) and retried with backoff until it works; renewed (PATCH)
 * when three quarters of its life are gone; created again when Graph says it is removed; deleted
 * on close. The clientState is random per process and lives only in memory.
 */
export class GraphSubscription {
  readonly clientState = randomBytes(48).toString('base64url');
  private readonly timing: SubscriptionTiming;
  private id: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private failures = 0;
  private stopped = false;

  constructor(private readonly options: GraphSubscriptionOptions) {
    this.timing = { ...DEFAULT_SUBSCRIPTION_TIMING, ...options.timing };
  }

  get subscriptionId(): string | undefined {
    return this.id;
  }

  /** Creates (or renews) now, in the background. */
  start(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.keepAlive().finally(() => {
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.start();
      }
    });
  }

  onLifecycle(event: LifecycleEvent, subscriptionId: string): void {
    this.options.logger.info({ event, subscriptionId }, 'graph subscription lifecycle event');
    if (event === 'missed') {
      this.options.resync();
      return;
    }
    if (subscriptionId !== this.id) return; // about a subscription we no longer hold
    // subscriptionRemoved: Graph has dropped it already; reauthorizationRequired: a PATCH renews.
    if (event === 'subscriptionRemoved') this.id = undefined;
    this.start();
  }

  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    const id = this.id;
    this.id = undefined;
    if (!id) return;
    // A subscription left behind posts to a URL nobody answers, until it expires.
    const deleting = this.options.client
      .request({ method: 'DELETE', path: graphPath`/subscriptions/${id}` })
      .catch((error: unknown) =>
        this.options.logger.warn(
          { code: errorCodeOf(error), err: messageOf(error) },
          'graph subscription not deleted; it expires by itself',
        ),
      );
    await Promise.race([deleting, new Promise((resolve) => setTimeout(resolve, 5_000).unref())]);
  }

  private async keepAlive(): Promise<void> {
    const { logger } = this.options;
    try {
      const renewed = this.id !== undefined && (await this.renew());
      if (!renewed) {
        await this.create();
        // Mail that arrived while there was no subscription was announced to nobody.
        this.options.resync();
      }
      this.failures = 0;
      this.schedule(this.timing.lifetimeMs * 0.75);
    } catch (error) {
      if (this.stopped) return;
      this.failures += 1;
      const waitMs = backoffWithJitter(this.failures, {
        baseMs: this.timing.retryBaseMs,
        maxMs: this.timing.retryMaxMs,
      });
      logger.warn(
        { code: errorCodeOf(error), err: messageOf(error), retryInMs: waitMs },
        'graph subscription failed; the RC_SYNC_INTERVAL sweep covers until it works',
      );
      this.schedule(waitMs);
    }
  }

  private schedule(waitMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.start(), waitMs);
  }

  private expiration(): string {
    return new Date(Date.now() + this.timing.lifetimeMs).toISOString();
  }

  private async create(): Promise<void> {
    const { client, user, folder, notificationUrl, logger } = this.options;
    const { body } = await client.request<SubscriptionResource>({
      method: 'POST',
      path: '/subscriptions',
      json: {
        changeType: 'created',
        notificationUrl,
        lifecycleNotificationUrl: lifecycleUrlOf(notificationUrl),
        resource: `${graphPath`/users/${user}`}/mailFolders('${encodeURIComponent(folder)}')/messages`,
        expirationDateTime: this.expiration(),
        clientState: this.clientState,
      },
    });
    this.id = body?.id;
    logger.info(
      { subscriptionId: this.id, expires: body?.expirationDateTime },
      'graph subscription created',
    );
  }

  /** false when Graph no longer knows the subscription (it must be created again). */
  private async renew(): Promise<boolean> {
    try {
      await this.options.client.request({
        method: 'PATCH',
        path: graphPath`/subscriptions/${this.id ?? ''}`,
        json: { expirationDateTime: this.expiration() },
      });
      return true;
    } catch (error) {
      if (error instanceof GraphRequestError && error.status === 404) {
        this.id = undefined;
        return false;
      }
      throw error;
    }
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
