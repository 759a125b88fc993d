import { randomUUID } from 'node:crypto';
import { Agent, fetch } from 'undici';
import type { StoredMessage } from './graph-mailbox';

/** Outlook message subscriptions live at most 4,230 minutes (learn.microsoft.com/graph/api/resources/subscription). */
export const MAX_SUBSCRIPTION_MINUTES = 4230;
/** Graph gives an endpoint 10 s to echo the validation token. */
const VALIDATION_TIMEOUT_MS = 10_000;
/** Graph expects a notification to be acknowledged within 3 s. */
const NOTIFICATION_TIMEOUT_MS = 3_000;

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

export interface Subscription {
  id: string;
  resource: string;
  changeType: string;
  notificationUrl: string;
  lifecycleNotificationUrl?: string;
  clientState?: string;
  expirationDateTime: string;
  applicationId: string;
  /** which mailbox and folder the resource names (folder undefined = every folder) */
  user: string;
  folderKey?: string;
  /** notifications carry immutable ids when the subscription was created asking for them */
  immutableIds: boolean;
}

export interface NotificationDelivery {
  subscriptionId: string;
  url: string;
  kind: 'change' | 'lifecycle';
  count: number;
  status: number | 'error' | 'timeout';
  at: number;
  ms: number;
}

/** `/users/{id}/mailFolders('{folder}')/messages`, `users/{id}/mailFolders/{folder}/messages`, `/users/{id}/messages`. */
export function parseMessageResource(
  resource: string,
): { user: string; folderKey?: string } | undefined {
  const normalized = resource.replace(/^\//, '').replace(/\('([^']*)'\)/g, '/$1');
  const match =
    /^(?:users|Users)\/([^/]+)\/(?:(?:mailFolders|MailFolders)\/([^/]+)\/)?(?:messages|Messages)$/.exec(
      normalized,
    );
  if (!match?.[1]) return undefined;
  return {
    user: decodeURIComponent(match[1]),
    ...(match[2] ? { folderKey: decodeURIComponent(match[2]) } : {}),
  };
}

/**
 * Sends what Graph sends to subscribers: the validation handshake, change notifications (several
 * per POST when they come together) and lifecycle events.
 */
export class NotificationSender {
  readonly deliveries: NotificationDelivery[] = [];
  private readonly agent: Agent;
  private readonly pending = new Map<string, { subscription: Subscription; items: unknown[] }>();
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    caPem: string,
    private readonly tenantId: string,
  ) {
    this.agent = new Agent({ connect: { ca: caPem } });
  }

  /** The handshake: undefined when the endpoint echoed the token in time, else why not. */
  async validate(url: string): Promise<string | undefined> {
    const token = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
    const target = new URL(url);
    target.searchParams.set('validationToken', token);
    try {
      const response = await fetch(target, {
        method: 'POST',
        headers: { 'content-type': 'text/plain; charset=utf-8' },
        body: '',
        dispatcher: this.agent,
        signal: AbortSignal.timeout(VALIDATION_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.status !== 200) {
        return 'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.';
      }
      if (!(response.headers.get('content-type') ?? '').toLowerCase().startsWith('text/plain')) {
        return 'Subscription validation request failed. Must respond with 200 OK and content type text/plain.';
      }
      if (text !== token) {
        return 'Subscription validation request failed. Response must exactly match validationToken query parameter.';
      }
      return undefined;
    } catch {
      return 'Subscription validation request timed out or the notification endpoint was unreachable.';
    }
  }

  /** Queues a `created` notification; everything queued in the same few ms goes in one POST. */
  messageCreated(subscription: Subscription, message: StoredMessage): void {
    const id = subscription.immutableIds ? message.immutableId : message.id;
    const resource = `Users/${subscription.user}/Messages/${id}`;
    const item = {
      subscriptionId: subscription.id,
      subscriptionExpirationDateTime: subscription.expirationDateTime,
      changeType: 'created',
      resource,
      resourceData: {
        '@odata.type': '#Microsoft.Graph.Message',
        '@odata.id': resource,
        '@odata.etag': `W/"${message.changeKey}"`,
        id,
      },
      clientState: subscription.clientState ?? null,
      tenantId: this.tenantId,
    };
    const batch = this.pending.get(subscription.id) ?? { subscription, items: [] };
    batch.items.push(item);
    this.pending.set(subscription.id, batch);
    this.flushTimer ??= setTimeout(() => this.flush(), 5);
  }

  lifecycle(subscription: Subscription, event: LifecycleEvent): void {
    const url = subscription.lifecycleNotificationUrl;
    if (!url) return;
    this.post(subscription.id, url, 'lifecycle', [
      {
        subscriptionId: subscription.id,
        subscriptionExpirationDateTime: subscription.expirationDateTime,
        tenantId: this.tenantId,
        clientState: subscription.clientState ?? null,
        lifecycleEvent: event,
      },
    ]);
  }

  private flush(): void {
    this.flushTimer = undefined;
    for (const { subscription, items } of this.pending.values()) {
      this.post(subscription.id, subscription.notificationUrl, 'change', items);
    }
    this.pending.clear();
  }

  private post(
    subscriptionId: string,
    url: string,
    kind: 'change' | 'lifecycle',
    items: unknown[],
  ): void {
    const started = Date.now();
    const record = (status: NotificationDelivery['status']): void => {
      this.deliveries.push({
        subscriptionId,
        url,
        kind,
        count: items.length,
        status,
        at: started,
        ms: Date.now() - started,
      });
    };
    const sending = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ value: items }),
      dispatcher: this.agent,
      signal: AbortSignal.timeout(NOTIFICATION_TIMEOUT_MS),
    })
      .then(async (response) => {
        await response.arrayBuffer();
        record(response.status);
      })
      .catch((err: Error) => record(err.name === 'TimeoutError' ? 'timeout' : 'error'))
      .finally(() => this.inFlight.delete(sending));
    this.inFlight.add(sending);
  }

  /** Waits for queued and in-flight notifications, then closes the connection pool. */
  async close(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flush();
    }
    await Promise.all([...this.inFlight]);
    await this.agent.close();
  }
}
