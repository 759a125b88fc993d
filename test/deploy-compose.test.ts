import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { loadConfig, type ServiceRole } from '@rc/runtime';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { engineConfigSection } from '../services/task-updater/src/engines/config-section';
import { hasBinary, readRepo, repoPath } from './deploy-helpers';

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}
const compose = parse(readRepo('docker-compose.yml'), { merge: true }) as {
  services: Record<string, ComposeService>;
};
const services = compose.services;
const ROLES: ServiceRole[] = ['sender', 'poller', 'verifier', 'task-updater'];

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

const started: ReturnType<typeof spawn>[] = [];
afterAll(() => {
  for (const child of started) child.kill();
});

describe('docker-compose.yml', () => {
  /*
   * scripts/bootstrap.sh installs Debian's docker-compose for CI; `config` parses and validates
   * the file (schema, merges, interpolation) without a Docker engine.
   */
  it.skipIf(!hasBinary('docker-compose'))('passes docker-compose config', () => {
    const output = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      cwd: repoPath('.'),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const resolved = parse(output) as { services: Record<string, ComposeService> };
    expect(Object.keys(resolved.services).sort()).toEqual(
      ['engine', 'mail', 'redis', ...ROLES].sort(),
    );
    for (const role of ROLES) expect(resolved.services[role]!.environment?.SERVICE).toBe(role);
  });

  it('Redis keeps an append-only file and refuses to evict', () => {
    const command = services.redis!.command!.join(' ');
    expect(command).toContain('--appendonly yes');
    expect(command).toContain('--maxmemory-policy noeviction');
  });

  it('every container has a healthcheck, and the services check /readyz', () => {
    for (const [name, service] of Object.entries(services))
      expect(service.healthcheck?.test.length, name).toBeGreaterThan(0);
    for (const role of ROLES)
      expect(services[role]!.healthcheck!.test.join(' ')).toContain('/readyz');
  });

  it('the services wait for healthy Redis and mail; the task-updater also for the engine', () => {
    for (const role of ROLES) {
      expect(services[role]!.depends_on).toMatchObject({
        redis: { condition: 'service_healthy' },
        mail: { condition: 'service_healthy' },
      });
    }
    expect(services['task-updater']!.depends_on?.engine).toEqual({
      condition: 'service_healthy',
    });
  });

  it('each service configuration loads (no config error) and points at the compose hosts', () => {
    const ports = new Set<string>();
    for (const role of ROLES) {
      const env = services[role]!.environment!;
      ports.add(env.RC_HTTP_PORT!);
      const config = loadConfig(
        env,
        [role],
        role === 'task-updater' ? [engineConfigSection()] : [],
      );
      expect(new URL(config.redisUrl).hostname).toBe('redis');
      expect(env.RC_SMTP_HOST).toBe('mail');
      expect(env.RC_IMAP_HOST).toBe('mail');
      const webhook = new URL(env.RC_WEBHOOK_URL!);
      expect(webhook.hostname).toBe('engine');
      expect(webhook.port).toBe(services.engine!.environment!.ENGINE_PORT);
    }
    expect(ports.size).toBe(ROLES.length);
  });

  it('sets only documented RC_ variables', () => {
    const readme = readRepo('README.md');
    const names = new Set(
      ROLES.flatMap((role) => Object.keys(services[role]!.environment!)).filter((name) =>
        name.startsWith('RC_'),
      ),
    );
    expect([...names].filter((name) => !readme.includes(`\`${name}\``))).toEqual([]);
  });

  it('the stand-in engine answers webhooks with 200, prints them, and passes its healthcheck', async () => {
    const engine = services.engine!;
    const port = await freePort();
    const env = { ...process.env, ENGINE_PORT: String(port) };
    const [node, ...args] = engine.command!;
    const child = spawn(node === 'node' ? process.execPath : node!, args, { env });
    started.push(child);
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    const url = `http://127.0.0.1:${port}/hooks/remote-completion`;
    let response: Response | undefined;
    for (let attempt = 0; attempt < 50 && !response; attempt++) {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ event: 'task.completed', requestId: 'r1' }),
      }).catch(async () => {
        await new Promise((resolve) => setTimeout(resolve, 100));
        return undefined;
      });
    }
    expect(response?.status).toBe(200);
    await expect.poll(() => output).toContain('task.completed');
    expect(JSON.parse(output.trim().split('\n')[0]!)).toMatchObject({
      path: '/hooks/remote-completion',
    });

    const [, ...check] = engine.healthcheck!.test;
    const [checkNode, ...checkArgs] = check;
    expect(checkNode).toBe('node');
    execFileSync(process.execPath, checkArgs, { env, stdio: 'ignore', timeout: 5000 });
  });
});
