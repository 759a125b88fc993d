import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  answerWithButton,
  findFreePort,
  openMailbox,
  readRequestEmail,
  startMailStack,
  startRedis,
  startWebhookReceiver,
  waitUntil,
  type MailStack,
  type RedisServer,
  type WebhookReceiver,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_TOKEN, systemEnv } from './system';

/** SPEC 2: every service runs alone, as its own process with its own RC_HTTP_PORT. */
const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SERVICES = ['sender', 'poller', 'verifier', 'task-updater'] as const;

let redis: RedisServer;
let stack: MailStack;
let engine: WebhookReceiver;

beforeAll(async () => {
  [redis, stack, engine] = await Promise.all([
    startRedis(),
    startMailStack(),
    startWebhookReceiver(),
  ]);
});
afterAll(async () => {
  await Promise.allSettled([redis?.stop(), stack?.stop(), engine?.stop()]);
});

describe('the four services as separate processes', () => {
  it('each serves its own health endpoints, and together they run the round trip', async () => {
    const env = systemEnv(
      { redisUrl: redis.url, stack, webhookUrl: engine.url },
      { RC_LOG_LEVEL: 'info' },
    );
    const processes: { name: string; port: number; child: ChildProcess; output: string[] }[] = [];
    for (const name of SERVICES) {
      const port = await findFreePort();
      const output: string[] = [];
      const child = spawn('pnpm', ['--silent', `start:${name}`], {
        cwd: ROOT,
        env: { ...process.env, ...env, RC_HTTP_PORT: String(port) },
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child.stdout?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
      processes.push({ name, port, child, output });
    }
    try {
      const checks: Record<string, string[]> = {};
      for (const { name, port } of processes) {
        const ready = await waitUntil(
          `${name} ready`,
          async () => {
            const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
            return response?.ok
              ? ((await response.json()) as { checks: { name: string }[] })
              : undefined;
          },
          60_000,
          100,
        );
        checks[name] = ready.checks.map((check) => check.name).sort();
        expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
      }
      expect(checks).toEqual({
        sender: ['redis', 'smtp'],
        poller: ['mailbox', 'redis'],
        verifier: ['redis'],
        'task-updater': ['redis'],
      });

      // the intake is the sender's alone
      const sender = processes[0]!;
      const verifierPort = processes[2]!.port;
      expect(
        (
          await fetch(`http://127.0.0.1:${verifierPort}/v1/inbound`, {
            headers: { authorization: `Bearer ${API_TOKEN}` },
          })
        ).status,
      ).toBe(404);

      const inbox = await openMailbox(stack, 'sam@corp.example');
      const response = await fetch(`http://127.0.0.1:${sender.port}/v1/completion-requests`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          taskId: 'T-sep',
          title: 'Separate',
          assignees: [{ email: 'sam@corp.example' }],
        }),
      });
      expect(response.status).toBe(202);
      const email = await readRequestEmail(await inbox.waitFor(() => true, 20_000));
      await answerWithButton(
        stack.smtp,
        'sam@corp.example',
        email.failLink,
        'Blocked by INC-42.\r\n',
      );
      const [hook] = await engine.waitFor(1, 20_000);
      expect(hook?.json).toMatchObject({
        event: 'task.failed',
        taskId: 'T-sep',
        comment: 'Blocked by INC-42.',
      });
      await inbox.close();
    } finally {
      for (const { child } of processes) if (child.pid) process.kill(-child.pid, 'SIGTERM');
    }
    // pnpm itself dies at once on the group's SIGTERM; the service behind it logs "stopped"
    // when its graceful shutdown is done, so that line, not pnpm's exit, is what to wait for.
    for (const { name, output } of processes) {
      await waitUntil(
        `${name} stopped gracefully`,
        () => (output.join('').includes('"msg":"stopped"') ? true : undefined),
        20_000,
      );
      expect(output.join(''), `${name} logged as itself`).toContain(`"service":"${name}"`);
    }
  }, 120_000);
});
