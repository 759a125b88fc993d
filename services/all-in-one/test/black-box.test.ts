import {
  answerWithButton,
  createApiClient,
  findFreePort,
  openMailbox,
  readRequestEmail,
  startBackends,
  startPnpmScript,
  systemEnv,
  waitUntil,
  type Backends,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** `pnpm start` as its own process, configured only through RC_* variables (SPEC 2, 3.1). */
describe('pnpm start as a black box', () => {
  let backends: Backends;

  beforeAll(async () => {
    backends = await startBackends();
  });
  afterAll(async () => {
    await backends?.stop();
  });

  it('exits 78 with one line per configuration problem, and no secret in them', async () => {
    const product = startPnpmScript('start', {
      RC_SIGNING_KEYS: 'k1:tooshort-secret-value',
      RC_SMTP_PORT: 'abc',
      RC_MAILBOX_ADDRESS: 'not-an-address',
      RC_ENGINE: 'webhook',
      RC_HTTP_PORT: '0',
    });
    expect(await product.exited).toBe(78);
    const lines = product
      .output()
      .trim()
      .split('\n')
      .filter((line) => line.startsWith('config error:'));
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(lines.some((line) => line.includes('RC_SMTP_PORT'))).toBe(true);
    expect(lines.some((line) => line.includes('RC_SIGNING_KEYS'))).toBe(true);
    expect(lines.some((line) => line.includes('RC_WEBHOOK_URL'))).toBe(true);
    expect(product.output()).not.toContain('tooshort-secret-value');
  }, 60_000);

  it('runs the round trip, serves health and metrics, and stops cleanly on SIGTERM', async () => {
    const port = await findFreePort();
    const env = {
      ...systemEnv({
        redisUrl: backends.redis.url,
        stack: backends.stack,
        webhookUrl: backends.engine.url,
      }),
      RC_HTTP_PORT: String(port),
      // protocol traces on: credentials must still never reach the log
      RC_LOG_LEVEL: 'debug',
      RC_MAIL_DEBUG: 'true',
      RC_SMTP_USER: 'relay-user',
      RC_SMTP_PASSWORD: 'relay-Pa55word-secret',
    };
    const product = startPnpmScript('start', env);
    const { stack, engine: webhook } = backends;
    const base = `http://127.0.0.1:${port}`;
    try {
      await waitUntil(
        'readyz',
        async () => ((await fetch(`${base}/readyz`).catch(() => undefined))?.ok ? true : undefined),
        60_000,
      );
      const ready = (await (await fetch(`${base}/readyz`)).json()) as {
        checks: { name: string; ok: boolean }[];
      };
      expect(ready.checks.map((check) => check.name).sort()).toEqual(['mailbox', 'redis', 'smtp']);
      expect((await fetch(`${base}/healthz`)).status).toBe(200);

      const inbox = await openMailbox(stack, 'erin@corp.example');
      const api = createApiClient(base, env.RC_API_TOKEN);
      const response = await api('POST', '/v1/completion-requests', {
        taskId: 'Applications/Release1/Phase2/Task3',
        title: 'Go live',
        assignees: [{ email: 'erin@corp.example' }],
      });
      expect(response.status).toBe(202);
      const email = await readRequestEmail(await inbox.waitFor(() => true, 20_000));
      await answerWithButton(stack.smtp, 'erin@corp.example', email.completeLink, 'Approved.\r\n');
      const [hook] = await webhook.waitFor(1, 20_000);
      expect(hook?.json).toMatchObject({
        event: 'task.completed',
        taskId: 'Applications/Release1/Phase2/Task3',
        comment: 'Approved.',
      });
      await inbox.close();

      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/rc_inbound_outcomes_total\{outcome="accepted",reason=""\} 1/);
      expect(metrics).toMatch(/rc_engine_calls_total\{engine="webhook",result="ok"\} 1/);
      expect(metrics).toContain('rc_queue_jobs{queue="inbound",state="completed"}');
      // the stage and end-to-end figures the dashboard and alerts read (deploy/)
      expect(metrics).toMatch(/^rc_end_to_end_latency_seconds_count 1$/m);
      expect(metrics).toMatch(/^rc_job_wait_seconds_count\{queue="inbound"\} [1-9]/m);
      expect(metrics).toMatch(/^rc_queue_oldest_job_age_seconds\{queue="inbound"\} 0$/m);
      expect(metrics).toMatch(/^rc_mailbox_last_sync_success_timestamp_seconds \d{10}/m);
      expect(metrics).toMatch(/^rc_mailbox_messages_pending 0$/m);
      // secrets never reach the logs
      const output = product.output();
      expect(output).toContain('"protocol":"imap"'); // the traces really were on
      for (const secret of [
        env.RC_IMAP_PASSWORD,
        env.RC_SMTP_PASSWORD,
        env.RC_API_TOKEN,
        env.RC_WEBHOOK_SECRET,
        env.RC_SIGNING_KEYS.slice(3),
        // SASL PLAIN as it would travel, base64 of "\0user\0password"
        Buffer.from(`\u0000${env.RC_IMAP_USER}\u0000${env.RC_IMAP_PASSWORD}`).toString('base64'),
        Buffer.from(`\u0000relay-user\u0000${env.RC_SMTP_PASSWORD}`).toString('base64'),
      ]) {
        expect(output).not.toContain(secret);
      }
    } finally {
      await product.stop().catch(() => undefined);
    }
    expect(product.output()).toContain('"msg":"stopped"');
    expect(product.output()).not.toContain('exiting now');
    expect(product.output()).not.toContain('shutdown failed');
  }, 90_000);
});
