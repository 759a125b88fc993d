import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildAnswerTemplate } from '@rc/mail';
import { createRedis, loadConfig, startHost, type Host, type ServiceStarter } from '@rc/runtime';
import { RequestStore, storedRequestFromJob } from '@rc/store';
import { mintAnswerToken, newAnswerRef, parseSigningKeys } from '@rc/tokens';
import { startPoller } from '@rc/poller';
import { startSender } from '@rc/sender';
import { startTaskUpdater } from '@rc/task-updater';
import { startVerifier } from '@rc/verifier';
import {
  openMailbox,
  startMailStack,
  startRedis,
  startWebhookReceiver,
  type MailboxClient,
  type MailStack,
  type RedisServer,
  type WebhookReceiver,
  waitUntil,
} from '@rc/testkit';

export const MAILBOX = 'approvals@rc.example';
/** the repository root, where `pnpm start…` runs */
export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
export const API_TOKEN = 'test-api-token-0123456789';
export const WEBHOOK_SECRET = 'webhook-secret-for-tests';
export const SIGNING_KEY = 'k1:' + 'ab'.repeat(24);

/** The whole product on real Redis, Dovecot and SMTP, configured through the SPEC's variables. */
export interface TestSystem {
  redis: RedisServer;
  stack: MailStack;
  webhook: WebhookReceiver;
  host: Host;
  baseUrl: string;
  env: Record<string, string>;
  api(
    method: string,
    path: string,
    body?: unknown,
    token?: string,
  ): Promise<{ status: number; json: any }>;
  inboxOf(address: string): Promise<MailboxClient>;
  close(): Promise<void>;
}

export function systemEnv(
  parts: { redisUrl: string; stack: MailStack; webhookUrl: string },
  extra: Record<string, string> = {},
) {
  const { stack } = parts;
  return {
    RC_REDIS_URL: parts.redisUrl,
    RC_QUEUE_PREFIX: `rc${Math.random().toString(36).slice(2, 8)}`,
    RC_SMTP_HOST: stack.smtp.host,
    RC_SMTP_PORT: String(stack.smtp.port),
    RC_SMTP_SECURITY: 'none',
    RC_MAILBOX_ADDRESS: MAILBOX,
    RC_IMAP_HOST: stack.imap.host,
    RC_IMAP_PORT: String(stack.imap.port),
    RC_IMAP_SECURITY: 'none',
    RC_IMAP_USER: stack.credentialsFor(MAILBOX).user,
    RC_IMAP_PASSWORD: stack.credentialsFor(MAILBOX).pass,
    RC_SIGNING_KEYS: SIGNING_KEY,
    RC_STARTUP_DELAY: '0s',
    RC_SYNC_INTERVAL: '5s',
    RC_ENGINE: 'webhook',
    RC_WEBHOOK_URL: parts.webhookUrl,
    RC_WEBHOOK_SECRET: WEBHOOK_SECRET,
    RC_API_TOKEN: API_TOKEN,
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'warn',
    RC_RETRY_BASE_DELAY: '200ms',
    RC_RETRY_ATTEMPTS: '4',
    ...extra,
  };
}

/** The four services' starters, as `pnpm start` runs them in one process. */
export const ALL_SERVICES: ServiceStarter[] = [
  (context) => startSender(context),
  (context) => startPoller(context),
  startVerifier,
  startTaskUpdater,
];

export async function startSystem(extra: Record<string, string> = {}): Promise<TestSystem> {
  const backends = await startBackends();
  const { redis, stack, engine: webhook } = backends;
  const env = systemEnv({ redisUrl: redis.url, stack, webhookUrl: webhook.url }, extra);
  const config = loadConfig(env, ['sender', 'poller', 'verifier', 'task-updater']);
  const host = await startHost(config, ALL_SERVICES, 'test');
  const baseUrl = `http://127.0.0.1:${host.http.port}`;
  const mailboxes: MailboxClient[] = [];
  return {
    redis,
    stack,
    webhook,
    host,
    baseUrl,
    env,
    async api(method, path, body, token = API_TOKEN) {
      const response = await fetch(`${baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body:
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await response.text();
      let json: unknown = text;
      try {
        json = JSON.parse(text);
      } catch {
        // not JSON; keep the text
      }
      return { status: response.status, json };
    },
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

export { waitUntil } from '@rc/testkit';

export interface SeededRequest {
  requestId: string;
  assignee: string;
  /** an answer as the assignee's client sends it after clicking a button */
  answer(action: 'complete' | 'fail', comment: string): string;
}

/**
 * Requests stored exactly as the sender stores them (answer refs, signed tokens), without
 * emailing anyone: for filling a mailbox with answers before the services start.
 */
export async function seedRequests(
  env: Record<string, string>,
  count: number,
  idPrefix: string,
): Promise<SeededRequest[]> {
  const keyring = parseSigningKeys(env.RC_SIGNING_KEYS ?? '').keyring;
  if (!keyring) throw new Error('RC_SIGNING_KEYS does not parse');
  const redis = createRedis(env.RC_REDIS_URL ?? '', 'client');
  const store = new RequestStore(redis, env.RC_QUEUE_PREFIX ?? 'rc');
  const seeded: SeededRequest[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const requestId = `${idPrefix}-${i}`;
      const assignee = `${idPrefix}${i}@corp.example`;
      const request = storedRequestFromJob(
        {
          kind: 'request',
          request: {
            requestId,
            taskId: `Task-${requestId}`,
            title: `Task ${i}`,
            assignees: [{ email: assignee }],
          },
          requestedAt: new Date().toISOString(),
        },
        86_400_000,
      );
      await store.create(request);
      const ref = await store.answerRefFor(request, assignee, newAnswerRef);
      seeded.push({
        requestId,
        assignee,
        answer(action, comment) {
          const { subject, body } = buildAnswerTemplate({
            action,
            token: mintAnswerToken(keyring, action, ref),
            title: request.title,
          });
          return (
            `From: ${assignee}\r\nTo: ${MAILBOX}\r\nSubject: ${subject}\r\n` +
            `Message-ID: <${randomUUID()}@corp.example>\r\nDate: ${new Date().toUTCString()}\r\n` +
            `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${comment}${body}`
          );
        },
      });
    }
  } finally {
    await redis.quit();
  }
  return seeded;
}

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

/** A root package script (`start`, `start:poller`, …) running as its own process. */
export interface ProductProcess {
  child: ChildProcess;
  /** everything it wrote to stdout and stderr so far */
  output(): string;
  /** pnpm's exit code (for a start-up failure such as bad configuration: 78) */
  exited: Promise<number | null>;
  /** SIGTERM as a container runtime sends it; resolves once every process of the group is gone */
  stop(): Promise<void>;
  /** SIGKILL: a crash, with no chance to clean up */
  kill(): Promise<void>;
}

/**
 * Starts `pnpm <script>` in its own process group, so signals reach the service itself and
 * not only pnpm (which dies at once on SIGTERM while the service behind it shuts down).
 */
export function startPnpmScript(
  script: string,
  env: Record<string, string>,
  options: { logFile?: string } = {},
): ProductProcess {
  const child = spawn('pnpm', ['--silent', script], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  const log = options.logFile ? createWriteStream(options.logFile) : undefined;
  for (const stream of [child.stdout, child.stderr]) {
    stream?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      log?.write(chunk);
    });
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const signal = (name: NodeJS.Signals | 0): boolean => {
    try {
      if (child.pid) process.kill(-child.pid, name);
      return true;
    } catch {
      return false; // no process of the group is left
    }
  };
  return {
    child,
    output: () => output,
    exited,
    async stop() {
      signal('SIGTERM');
      // pnpm dies at once; the service behind it takes its graceful shutdown's time (at most
      // its 20 s grace period), and a zombie lingers until it is reaped
      try {
        await waitUntil(`pnpm ${script} to stop`, () => (signal(0) ? undefined : true), 25_000, 50);
      } catch (error) {
        const left = execSync(`ps -eo pid,pgid,stat,etime,args | awk '$2 == ${child.pid}'`);
        throw new Error(`${(error as Error).message}; still running:\n${left.toString()}`);
      }
    },
    async kill() {
      signal('SIGKILL');
      await exited;
    },
  };
}
