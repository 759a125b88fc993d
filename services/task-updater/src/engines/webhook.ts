import { createHmac } from 'node:crypto';
import type { ConfigReader } from '@rc/runtime';
import type { EngineDefinition } from './engine';
import { createEngineHttp } from './http-policy';

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

function readWebhookSettings(read: ConfigReader, needed: boolean): WebhookSettings {
  const why = 'with RC_ENGINE=webhook';
  return {
    url:
      read.url(
        'RC_WEBHOOK_URL',
        ['http:', 'https:'],
        'https://release.corp.example/hooks/email',
        needed,
        why,
      ) ?? '',
    secret: needed
      ? read.required('RC_WEBHOOK_SECRET', '$(openssl rand -hex 32)', `${why} to sign each call`)
      : (read.string('RC_WEBHOOK_SECRET') ?? ''),
    timeoutMs: read.duration('RC_WEBHOOK_TIMEOUT', '10s', '10s'),
  };
}

/** RC_ENGINE=webhook: a signed JSON POST of the task event to RC_WEBHOOK_URL. */
export const webhookEngine: EngineDefinition<WebhookSettings> = {
  name: 'webhook',
  settings: readWebhookSettings,
  create(settings, context) {
    const post = createEngineHttp('webhook', settings, context);
    return {
      name: 'webhook',
      notify(event) {
        const body = JSON.stringify(event);
        return post({
          url: settings.url,
          headers: {
            'Content-Type': 'application/json',
            'User-Agent': 'remote-completion',
            // The engine dedupes on this: a retry after a lost 2xx is harmless.
            'Idempotency-Key': event.requestId,
            'X-RC-Signature': signWebhookBody(settings.secret, body, Math.floor(Date.now() / 1000)),
          },
          body,
        });
      },
    };
  },
};
