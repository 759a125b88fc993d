import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendGraphError } from './graph-errors';
import type { StoredMessage } from './graph-mailbox';
import { prefersImmutableIds } from './graph-request';
import {
  MAX_SUBSCRIPTION_MINUTES,
  parseMessageResource,
  type LifecycleEvent,
  type NotificationSender,
  type Subscription,
} from './graph-subscriptions';
import { readJson, sendEmpty, sendJson } from './http-util';

interface SubscriptionBody {
  changeType?: unknown;
  notificationUrl?: unknown;
  lifecycleNotificationUrl?: unknown;
  resource?: unknown;
  expirationDateTime?: unknown;
  clientState?: unknown;
}

/** Subscriptions of the fake: created, renewed, removed, and told about new messages. */
export class SubscriptionRegistry {
  readonly subscriptions = new Map<string, Subscription>();
  /** http:// notification URLs are accepted so tests need no TLS on the receiving side */
  allowHttp = true;

  constructor(
    private readonly sender: NotificationSender,
    private readonly baseUrl: () => string,
    private readonly mailboxExists: (user: string) => boolean,
  ) {}

  /** Live subscriptions, after forgetting expired ones as Graph does. */
  live(): Subscription[] {
    const now = Date.now();
    for (const [id, s] of this.subscriptions) {
      if (Date.parse(s.expirationDateTime) <= now) this.subscriptions.delete(id);
    }
    return [...this.subscriptions.values()];
  }

  /** Notifies every subscription on the message's mailbox and folder. */
  messageArrived(
    user: string,
    message: StoredMessage,
    folderIdOf: (key: string) => string | undefined,
  ): void {
    for (const s of this.live()) {
      if (s.user.toLowerCase() !== user.toLowerCase()) continue;
      if (!s.changeType.split(',').includes('created')) continue;
      if (s.folderKey !== undefined && folderIdOf(s.folderKey) !== message.folderId) continue;
      this.sender.messageCreated(s, message);
    }
  }

  lifecycle(event: LifecycleEvent, subscriptionId?: string): void {
    const targets = this.live().filter((s) => !subscriptionId || s.id === subscriptionId);
    if (targets.length === 0) throw new Error(`no live subscription ${subscriptionId ?? ''}`);
    for (const s of targets) {
      // "subscriptionRemoved" reports a subscription Graph has already dropped.
      if (event === 'subscriptionRemoved') this.subscriptions.delete(s.id);
      this.sender.lifecycle(s, event);
    }
  }

  drop(subscriptionId?: string): void {
    if (subscriptionId) this.subscriptions.delete(subscriptionId);
    else this.subscriptions.clear();
  }

  private resource(s: Subscription): Record<string, unknown> {
    return {
      '@odata.context': `${this.baseUrl()}/$metadata#subscriptions/$entity`,
      id: s.id,
      resource: s.resource,
      applicationId: s.applicationId,
      changeType: s.changeType,
      clientState: s.clientState ?? null,
      notificationUrl: s.notificationUrl,
      notificationQueryOptions: null,
      lifecycleNotificationUrl: s.lifecycleNotificationUrl ?? null,
      expirationDateTime: s.expirationDateTime,
      creatorId: s.applicationId,
      includeResourceData: false,
      latestSupportedTlsVersion: 'v1_2',
      encryptionCertificate: null,
      encryptionCertificateId: null,
      notificationUrlAppId: null,
    };
  }

  /** Undefined when the expiration is acceptable, else Graph's complaint. */
  private checkExpiration(value: unknown): string | undefined {
    const at = typeof value === 'string' ? Date.parse(value) : NaN;
    if (Number.isNaN(at)) return 'expirationDateTime is required and must be a date.';
    if (at <= Date.now()) return 'Subscription expiration must be in the future.';
    if (at > Date.now() + MAX_SUBSCRIPTION_MINUTES * 60_000) {
      return `Subscription expiration can only be ${MAX_SUBSCRIPTION_MINUTES} minutes in the future.`;
    }
    return undefined;
  }

  private checkUrl(value: unknown): string | undefined {
    if (typeof value !== 'string') return undefined;
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || (this.allowHttp && url.protocol === 'http:')) return value;
    } catch {
      // falls through to undefined
    }
    return undefined;
  }

  /** `/subscriptions` and `/subscriptions/{id}`. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    id: string | undefined,
    applicationId: string,
  ): Promise<void> {
    const method = req.method ?? 'GET';
    if (id === undefined && method === 'GET') {
      sendJson(res, 200, { value: this.live().map((s) => this.resource(s)) });
      return;
    }
    if (id === undefined && method === 'POST') {
      await this.create(req, res, applicationId);
      return;
    }
    const subscription = id === undefined ? undefined : this.live().find((s) => s.id === id);
    if (!subscription) {
      sendGraphError(
        req,
        res,
        404,
        'ResourceNotFound',
        `The object was not found. Subscription '${id}'.`,
      );
      return;
    }
    if (method === 'GET') {
      sendJson(res, 200, this.resource(subscription));
    } else if (method === 'DELETE') {
      this.subscriptions.delete(subscription.id);
      sendEmpty(res, 204);
    } else if (method === 'PATCH') {
      const body = (await readJson(req)) as SubscriptionBody;
      const problem = this.checkExpiration(body.expirationDateTime);
      if (problem) {
        sendGraphError(req, res, 400, 'InvalidRequest', problem);
        return;
      }
      subscription.expirationDateTime = new Date(String(body.expirationDateTime)).toISOString();
      sendJson(res, 200, this.resource(subscription));
    } else {
      sendGraphError(req, res, 405, 'MethodNotAllowed', `${method} is not supported.`);
    }
  }

  private async create(
    req: IncomingMessage,
    res: ServerResponse,
    applicationId: string,
  ): Promise<void> {
    const body = (await readJson(req)) as SubscriptionBody;
    const notificationUrl = this.checkUrl(body.notificationUrl);
    const lifecycleUrl =
      body.lifecycleNotificationUrl === undefined
        ? undefined
        : this.checkUrl(body.lifecycleNotificationUrl);
    const target =
      typeof body.resource === 'string' ? parseMessageResource(body.resource) : undefined;
    const problem =
      (!notificationUrl && 'notificationUrl must be an https URL.') ||
      (body.lifecycleNotificationUrl !== undefined &&
        !lifecycleUrl &&
        'lifecycleNotificationUrl must be an https URL.') ||
      (typeof body.changeType !== 'string' && 'changeType is required.') ||
      (!target && `Resource '${String(body.resource)}' is not supported.`) ||
      (target &&
        !this.mailboxExists(target.user) &&
        `The requested user '${target.user}' is invalid.`) ||
      (body.clientState !== undefined &&
        (typeof body.clientState !== 'string' || body.clientState.length > 128) &&
        'clientState must be a string of at most 128 characters.') ||
      this.checkExpiration(body.expirationDateTime);
    if (problem || !notificationUrl || !target) {
      sendGraphError(req, res, 400, 'InvalidRequest', problem || 'Invalid subscription.');
      return;
    }
    // Both endpoints must pass the handshake before the subscription exists.
    for (const url of [notificationUrl, lifecycleUrl]) {
      if (!url) continue;
      const refusal = await this.sender.validate(url);
      if (refusal) {
        sendGraphError(req, res, 400, 'ValidationError', refusal);
        return;
      }
    }
    const subscription: Subscription = {
      id: randomUUID(),
      resource: body.resource as string,
      changeType: body.changeType as string,
      notificationUrl,
      ...(lifecycleUrl ? { lifecycleNotificationUrl: lifecycleUrl } : {}),
      ...(typeof body.clientState === 'string' ? { clientState: body.clientState } : {}),
      expirationDateTime: new Date(String(body.expirationDateTime)).toISOString(),
      applicationId,
      user: target.user,
      ...(target.folderKey ? { folderKey: target.folderKey } : {}),
      immutableIds: prefersImmutableIds(req),
    };
    this.subscriptions.set(subscription.id, subscription);
    sendJson(res, 201, this.resource(subscription));
  }
}
