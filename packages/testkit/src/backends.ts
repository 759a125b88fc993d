import { startMailStack, type MailStack } from './mail-stack';
import { startRedis, type RedisServer } from './redis';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver';

/** What the product needs around it: a Redis, a mail server (SMTP + IMAP), a release engine. */
export interface Backends {
  redis: RedisServer;
  stack: MailStack;
  engine: WebhookReceiver;
  stop(): Promise<void>;
}

export async function startBackends(options: { appendonly?: boolean } = {}): Promise<Backends> {
  const [redis, stack, engine] = await Promise.all([
    startRedis({ appendonly: options.appendonly ?? false }),
    startMailStack(),
    startWebhookReceiver(),
  ]);
  return {
    redis,
    stack,
    engine,
    async stop() {
      await Promise.allSettled([redis.stop(), stack.stop(), engine.stop()]);
    },
  };
}
