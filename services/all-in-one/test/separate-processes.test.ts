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
  type ProductProcess,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** SPEC 2: every service runs alone, as its own process with its own RC_HTTP_PORT. */
const SERVICES = ['sender', 'poller', 'verifier', 'task-updater'] as const;

let backends: Backends;

beforeAll(async () => {
  backends = await startBackends();
});
afterAll(async () => {
  await backends?.stop();
});

describe('the four services as separate processes', () => {
  it('each serves its own health endpoints, and together they run the round trip', async () => {
    const { stack, engine } = backends;
    const env = systemEnv(
      { redisUrl: backends.redis.url, stack, webhookUrl: engine.url },
      { RC_LOG_LEVEL: 'info' },
    );
    const processes: { name: string; port: number; service: ProductProcess }[] = [];
    for (const name of SERVICES) {
      const port = await findFreePort();
      const service = startPnpmScript(`start:${name}`, { ...env, RC_HTTP_PORT: String(port) });
      processes.push({ name, port, service });
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
      const verifierApi = createApiClient(`http://127.0.0.1:${verifierPort}`, env.RC_API_TOKEN);
      expect((await verifierApi('GET', '/v1/inbound')).status).toBe(404);

      const inbox = await openMailbox(stack, 'sam@corp.example');
      const senderApi = createApiClient(`http://127.0.0.1:${sender.port}`, env.RC_API_TOKEN);
      const response = await senderApi('POST', '/v1/completion-requests', {
        taskId: 'T-sep',
        title: 'Separate',
        assignees: [{ email: 'sam@corp.example' }],
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
      await Promise.all(processes.map(({ service }) => service.stop().catch(() => undefined)));
    }
    for (const { name, service } of processes) {
      expect(service.output(), `${name} stopped gracefully`).toContain('"msg":"stopped"');
      expect(service.output(), `${name} logged as itself`).toContain(`"service":"${name}"`);
    }
  }, 120_000);
});
