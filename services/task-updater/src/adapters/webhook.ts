import { createHmac } from 'node:crypto';
import type { TaskEvent } from '@rc/contracts';
import { PermanentJobError } from '@rc/runtime';
import { isRetryableStatus, type EngineAdapter } from './engine';

export interface WebhookSettings {
  url: string;
  secret: string;
  timeoutMs: number;
}

/** `X-RC-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>` (SPEC 3.4). */
export function signWebhookBody(secret: string, body: string, unixSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex');
  return `t=${unixSeconds},v1=${mac}`;
}

export function createWebhookEngine(settings: WebhookSettings): EngineAdapter {
  return {
    name: 'webhook',
    async notify(event: TaskEvent) {
      const body = JSON.stringify(event);
      let response: Response;
      try {
        response = await fetch(settings.url, {
          method: 'POST',
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'remote-completion',
            // The engine dedupes on this: a retry after a lost 2xx is harmless.
            'Idempotency-Key': event.requestId,
            'X-RC-Signature': signWebhookBody(settings.secret, body, Math.floor(Date.now() / 1000)),
          },
          body,
          signal: AbortSignal.timeout(settings.timeoutMs),
          redirect: 'error',
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        throw new Error(
          `webhook unreachable: ${error instanceof Error ? error.name : 'error'}${cause ? ` (${cause})` : ''}`,
        );
      }
      // Drain the body so the connection can be reused; its content is only kept for errors.
      const text = (await response.text().catch(() => '')).slice(0, 200);
      if (response.status === 409) return 'already_done';
      if (response.ok) return 'done';
      const message = `webhook answered ${response.status}${text ? `: ${text}` : ''}`;
      if (isRetryableStatus(response.status)) throw new Error(message);
      throw new PermanentJobError(message, 'ENGINE_REJECTED');
    },
  };
}
