import {
  loadConfig,
  startHost,
  type ConfigSection,
  type Host,
  type ServiceRole,
  type ServiceStarter,
} from '@rc/runtime';
import { createApiClient, type ApiCall } from './api-client';
import { startBackends } from './backends';
import { type MailStack } from './mail-stack';
import { openMailbox, type MailboxClient } from './mailbox';
import { type RedisServer } from './redis';
import { type WebhookReceiver } from './webhook-receiver';

/**
 * The product's services as one process runs them. The testkit cannot import the services
 * (they depend on it), so callers pass them in: @rc/all-in-one exports `ALL_SERVICES`.
 */
export interface ProductServices {
  roles: ServiceRole[];
  starters: ServiceStarter[];
  /** settings the services own themselves (e.g. the task-updater's engines) */
  sections?: readonly ConfigSection<unknown>[];
}

/** The names and secrets `systemEnv` configures, for tests that talk to the system. */
export const SYSTEM_DEFAULTS = {
  mailbox: 'approvals@rc.example',
  apiToken: 'test-api-token-0123456789',
  webhookSecret: 'webhook-secret-for-tests',
  signingKey: 'k1:' + 'ab'.repeat(24),
} as const;

/**
 * The SPEC's RC_* variables for the product on these backends: a fresh queue prefix, so
 * several deployments share one Redis without seeing each other's jobs, and short intervals.
 */
export function systemEnv(
  parts: { redisUrl: string; stack: MailStack; webhookUrl: string },
  extra: Record<string, string> = {},
) {
  const { stack } = parts;
  const mailbox = stack.credentialsFor(SYSTEM_DEFAULTS.mailbox);
  return {
    RC_REDIS_URL: parts.redisUrl,
    RC_QUEUE_PREFIX: `rc${Math.random().toString(36).slice(2, 8)}`,
    RC_SMTP_HOST: stack.smtp.host,
    RC_SMTP_PORT: String(stack.smtp.port),
    RC_SMTP_SECURITY: 'none',
    RC_MAILBOX_ADDRESS: SYSTEM_DEFAULTS.mailbox,
    RC_IMAP_HOST: stack.imap.host,
    RC_IMAP_PORT: String(stack.imap.port),
    RC_IMAP_SECURITY: 'none',
    RC_IMAP_USER: mailbox.user,
    RC_IMAP_PASSWORD: mailbox.pass,
    RC_SIGNING_KEYS: SYSTEM_DEFAULTS.signingKey,
    RC_STARTUP_DELAY: '0s',
    RC_SYNC_INTERVAL: '5s',
    RC_ENGINE: 'webhook',
    RC_WEBHOOK_URL: parts.webhookUrl,
    RC_WEBHOOK_SECRET: SYSTEM_DEFAULTS.webhookSecret,
    RC_API_TOKEN: SYSTEM_DEFAULTS.apiToken,
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'warn',
    RC_RETRY_BASE_DELAY: '200ms',
    RC_RETRY_ATTEMPTS: '4',
    ...extra,
  };
}

/** The product in this process, configured by `env` exactly as `pnpm start` reads it. */
export function startProduct(
  product: ProductServices,
  env: Record<string, string>,
  name: string,
): Promise<Host> {
  return startHost(loadConfig(env, product.roles, product.sections), product.starters, name);
}

/** The whole product on real Redis, Dovecot and SMTP, configured through the SPEC's variables. */
export interface TestSystem {
  redis: RedisServer;
  stack: MailStack;
  webhook: WebhookReceiver;
  host: Host;
  baseUrl: string;
  env: Record<string, string>;
  /** the HTTP API with the system's bearer token */
  api: ApiCall;
  /** a mailbox on the system's mail server, closed with the system */
  inboxOf(address: string): Promise<MailboxClient>;
  close(): Promise<void>;
}

export async function startSystem(
  product: ProductServices,
  extra: Record<string, string> = {},
): Promise<TestSystem> {
  const backends = await startBackends();
  const { redis, stack, engine: webhook } = backends;
  const env = systemEnv({ redisUrl: redis.url, stack, webhookUrl: webhook.url }, extra);
  const host = await startProduct(product, env, 'test').catch(async (error: unknown) => {
    await backends.stop();
    throw error;
  });
  const baseUrl = `http://127.0.0.1:${host.http.port}`;
  const mailboxes: MailboxClient[] = [];
  return {
    redis,
    stack,
    webhook,
    host,
    baseUrl,
    env,
    api: createApiClient(baseUrl, env.RC_API_TOKEN ?? null),
    async inboxOf(address) {
      const mailbox = await openMailbox(stack, address);
      mailboxes.push(mailbox);
      return mailbox;
    },
    async close() {
      await Promise.allSettled(mailboxes.map((mailbox) => mailbox.close()));
      await host.close();
      await backends.stop();
    },
  };
}
