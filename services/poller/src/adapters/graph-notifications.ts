import { createHash, timingSafeEqual } from 'node:crypto';
import type { Logger } from '@rc/runtime';
import { registry } from '@rc/runtime';
import express, { type Request, type Response, type Router } from 'express';
import { Counter } from 'prom-client';

/** Where Graph posts change notifications (SPEC 3.1, RC_GRAPH_NOTIFICATION_URL). */
export const NOTIFICATION_PATH = '/v1/graph/notifications';
/** Lifecycle events go to a sibling: the notification URL with `/lifecycle` appended. */
export const LIFECYCLE_PATH = `${NOTIFICATION_PATH}/lifecycle`;

export type LifecycleEvent = 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed';

const notificationsReceived = new Counter({
  name: 'rc_graph_notifications_total',
  help: 'Graph change notifications and lifecycle events received, by kind (change, lifecycle, validation) and result (accepted, dropped: a wrong clientState)',
  labelNames: ['kind', 'result'] as const,
  registers: [registry],
});

export interface NotificationReceiver {
  /** the clientState our subscription was created with; undefined before there is one */
  clientState(): string | undefined;
  onChange(): void;
  onLifecycle(event: LifecycleEvent, subscriptionId: string): void;
}

/** `lifecycleNotificationUrl` for a `notificationUrl`: the same URL with `/lifecycle` appended. */
export function lifecycleUrlOf(notificationUrl: string): string {
  const url = new URL(notificationUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/lifecycle`;
  return url.toString();
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/** Equal-length digests, so the comparison takes the same time whatever was sent. */
function sameClientState(sent: unknown, expected: string | undefined): boolean {
  if (typeof sent !== 'string' || expected === undefined) return false;
  return timingSafeEqual(digest(sent), digest(expected));
}

/**
 * POST /v1/graph/notifications and …/lifecycle. Graph first proves the URL with a validation
 * request (echo `validationToken` as text/plain within 10 s), then posts batches that must be
 * acknowledged within 3 s or it throttles and retries for hours: so 202 goes out first and the
 * sync runs afterwards. Anyone can post here; only an item carrying our in-memory clientState
 * counts, and even then it only triggers a sync of the mailbox — never a decision by itself.
 */
export function notificationRouter(receiver: NotificationReceiver, logger: Logger): Router {
  const router = express.Router();
  const json = express.json({ limit: '1mb', type: () => true });
  const handshake = (req: Request, res: Response, next: () => void) => {
    const token = req.query.validationToken;
    if (typeof token !== 'string') {
      next();
      return;
    }
    notificationsReceived.inc({ kind: 'validation', result: 'accepted' });
    res.status(200).set('x-content-type-options', 'nosniff').type('text/plain').send(token);
  };

  router.post(NOTIFICATION_PATH, handshake, json, (req, res) => {
    res.status(202).end();
    const items = itemsOf(req.body);
    const valid = items.filter((item) => sameClientState(item.clientState, receiver.clientState()));
    count('change', valid.length, items.length - valid.length, logger);
    if (valid.length > 0) receiver.onChange();
  });

  router.post(LIFECYCLE_PATH, handshake, json, (req, res) => {
    res.status(202).end();
    const items = itemsOf(req.body);
    const valid = items.filter((item) => sameClientState(item.clientState, receiver.clientState()));
    count('lifecycle', valid.length, items.length - valid.length, logger);
    for (const item of valid) {
      const event = item.lifecycleEvent;
      if (
        event === 'reauthorizationRequired' ||
        event === 'subscriptionRemoved' ||
        event === 'missed'
      )
        receiver.onLifecycle(event, String(item.subscriptionId ?? ''));
    }
  });
  return router;
}

function itemsOf(body: unknown): Record<string, unknown>[] {
  const value = (body as { value?: unknown } | undefined)?.value;
  return Array.isArray(value)
    ? value.filter((item): item is Record<string, unknown> => !!item && typeof item === 'object')
    : [];
}

function count(kind: 'change' | 'lifecycle', accepted: number, dropped: number, logger: Logger) {
  if (accepted > 0) notificationsReceived.inc({ kind, result: 'accepted' }, accepted);
  if (dropped > 0) {
    notificationsReceived.inc({ kind, result: 'dropped' }, dropped);
    logger.warn({ kind, dropped }, 'graph notification with a wrong clientState dropped');
  }
}
