import { spawn } from 'node:child_process';
import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import {
  createApiClient,
  findFreePort,
  graphAppEnv,
  readRequestEmail,
  REPO_ROOT,
  sleep,
  startPnpmScript,
  SYSTEM_DEFAULTS,
  waitUntil,
  type ApiCall,
  type MicrosoftFake,
  type ProductProcess,
  type ReceivedRequestEmail,
  type ReceivedWebhook,
  type WebhookReceiver,
} from '@rc/testkit';
import { expect } from 'vitest';

/**
 * Shared by the Microsoft 365 round-trip tests: the product as `pnpm start` (its own process,
 * configured only through the SPEC's RC_* variables) beside the local Entra ID/Graph, a real
 * Redis and a webhook engine.
 */

export const MAILBOX = SYSTEM_DEFAULTS.mailbox;

/** What every deployment sets, whatever its mailbox: Redis, keys, the engine, the API. */
export function coreEnv(parts: { redisUrl: string; webhookUrl: string }): Record<string, string> {
  return {
    RC_REDIS_URL: parts.redisUrl,
    RC_QUEUE_PREFIX: `m${randomBytes(3).toString('hex')}`,
    RC_MAILBOX_ADDRESS: MAILBOX,
    RC_SIGNING_KEYS: SYSTEM_DEFAULTS.signingKey,
    RC_STARTUP_DELAY: '0s',
    RC_ENGINE: 'webhook',
    RC_WEBHOOK_URL: parts.webhookUrl,
    RC_WEBHOOK_SECRET: SYSTEM_DEFAULTS.webhookSecret,
    RC_API_TOKEN: SYSTEM_DEFAULTS.apiToken,
    RC_LOG_LEVEL: 'info',
    RC_RETRY_BASE_DELAY: '200ms',
    RC_RETRY_ATTEMPTS: '4',
    RC_WHITELIST_ENABLED: 'true',
    RC_WHITELIST_DOMAINS: 'corp.example',
  };
}

/** Mailbox and sending through Graph, as a newly registered app (client secret). */
export function graphEnv(ms: MicrosoftFake): Record<string, string> {
  return { RC_MAILBOX_SOURCE: 'graph', RC_MAIL_TRANSPORT: 'graph', ...graphAppEnv(ms) };
}

export interface RunningProduct {
  port: number;
  base: string;
  api: ApiCall;
  process: ProductProcess;
  readyz(): Promise<{ status: number; body: ReadyBody }>;
  waitReady(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export interface ReadyBody {
  ok?: boolean;
  checks?: { name: string; ok: boolean; error?: string }[];
}

/** `pnpm start` (or one service's `start:<name>`) on `port`. */
export function startProduct(
  env: Record<string, string>,
  port: number,
  script = 'start',
): RunningProduct {
  const base = `http://127.0.0.1:${port}`;
  const process = startPnpmScript(script, { ...env, RC_HTTP_PORT: String(port) });
  const readyz = async () => {
    const response = await fetch(`${base}/readyz`);
    return { status: response.status, body: (await response.json()) as ReadyBody };
  };
  return {
    port,
    base,
    api: createApiClient(base, env.RC_API_TOKEN ?? null),
    process,
    readyz,
    async waitReady(timeoutMs = 40_000) {
      await waitUntil(
        `pnpm ${script} ready`,
        async () => {
          const exited = await Promise.race([process.exited, Promise.resolve('running')]);
          if (exited !== 'running')
            throw new Error(`pnpm ${script} exited (${exited}):\n${process.output()}`);
          return (await readyz().catch(() => undefined))?.status === 200 ? true : undefined;
        },
        timeoutMs,
        100,
      );
    },
    stop: () => process.stop(),
  };
}

export const freePort = findFreePort;

/** Requests a completion; `findEmail` waits for the request email the assignee receives. */
export async function requestCompletion(
  api: ApiCall,
  assignee: string,
  findEmail: (requestId: string) => Promise<Buffer>,
): Promise<{ requestId: string; taskId: string; email: ReceivedRequestEmail }> {
  const requestId = `req-${randomUUID()}`;
  const taskId = `Release1/Phase1/${requestId}`;
  const response = await api('POST', '/v1/completion-requests', {
    taskId,
    title: `Approve ${requestId}`,
    assignees: [{ email: assignee, name: 'Alice Example' }],
    requestId,
  });
  expect(response.status).toBe(202);
  return { requestId, taskId, email: await readRequestEmail(await findEmail(requestId)) };
}

/** Whether the raw MIME is the request email for `requestId` (the sender's own header). */
export function isRequestEmail(raw: Buffer, requestId: string): boolean {
  return raw.toString('utf8').toLowerCase().includes(`x-rc-request-id: ${requestId}`.toLowerCase());
}

/** The webhook calls about one request (the engine is told once per decision). */
export function hooksFor(webhook: WebhookReceiver, requestId: string): ReceivedWebhook[] {
  return webhook.received.filter(
    (hook) => (hook.json as { requestId?: string } | undefined)?.requestId === requestId,
  );
}

export async function waitForHook(
  webhook: WebhookReceiver,
  requestId: string,
  timeoutMs = 15_000,
): Promise<ReceivedWebhook> {
  return waitUntil(
    `the webhook for ${requestId}`,
    () => hooksFor(webhook, requestId)[0],
    timeoutMs,
  );
}

/** SPEC 3.4: X-RC-Signature is HMAC-SHA256(RC_WEBHOOK_SECRET, "<t>.<raw body>"). */
export function signedByProduct(hook: ReceivedWebhook): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(hook.headers['x-rc-signature']));
  if (!match) return false;
  const expected = createHmac('sha256', SYSTEM_DEFAULTS.webhookSecret)
    .update(`${match[1]}.${hook.rawBody}`)
    .digest('hex');
  return expected === match[2];
}

/** `text` as it looks inside base64 (e.g. an XOAUTH2 SASL string), at each byte alignment. */
function base64Shapes(text: string): RegExp[] {
  return [0, 1, 2].map((pad) => {
    const encoded = Buffer.from('\u0001'.repeat(pad) + text).toString('base64');
    const from = Math.ceil(pad / 3) * 4;
    const to = Math.floor((pad + text.length) / 3) * 4;
    return new RegExp(encoded.slice(from, to).replace(/[+/]/g, (c) => `\\${c}`));
  });
}

/**
 * The shapes of the fake's tokens, so a scan finds ANY token it issued, not only the ones a
 * test happened to see: refresh tokens are `0.rc-rt.…`, access tokens JWTs whose header (base64url
 * of the fake's fixed JOSE header) is always the same; and an XOAUTH2 string in base64.
 */
export const TOKEN_SHAPES: RegExp[] = [
  /0\.rc-rt\.[A-Za-z0-9_-]{20,}/,
  new RegExp(
    Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'ES256', kid: 'rc-testkit' }))
      .toString('base64url')
      .slice(0, 30),
  ),
  // with the token's start: nodemailer's trace shows the string with `/* secret */` in its place
  ...base64Shapes(`auth=Bearer ${Buffer.from('{"typ":"JWT"').toString('base64url')}`),
];

/** The clear-text tokens found in `text` (empty when there are none). */
export function tokensIn(text: string): string[] {
  return TOKEN_SHAPES.flatMap((shape) => {
    const found = shape.exec(text);
    if (!found) return [];
    // where it is, cut short: enough to find the code that logged it, not enough to use it
    const start = text.lastIndexOf('\n', found.index) + 1;
    return [`${text.slice(start, found.index).slice(-160)}${found[0].slice(0, 12)}…`];
  });
}

/**
 * `pnpm rc oauth2 login` as an operator runs it: the device-code prompt is read from its output
 * and approved at the local Entra ID as `user`, as if they had signed in in a browser.
 */
export async function loginByDeviceCode(
  ms: MicrosoftFake,
  env: Record<string, string>,
  user: string,
): Promise<string> {
  const child = spawn('pnpm', ['--silent', 'rc', 'oauth2', 'login'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  for (const stream of [child.stdout, child.stderr])
    stream.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    const code = await waitUntil(
      'the device code printed',
      () => /enter the code (\w+)/.exec(output)?.[1],
      30_000,
      50,
    );
    ms.deviceCodes.approve(user, code);
    const status = await Promise.race([exited, sleep(20_000).then(() => 'still running' as const)]);
    if (status !== 0) throw new Error(`rc oauth2 login ended with ${status}:\n${output}`);
    return output;
  } finally {
    child.kill();
  }
}
