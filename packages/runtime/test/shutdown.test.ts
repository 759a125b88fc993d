import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { REPO_ROOT, startRedis, waitUntil, type RedisServer } from '@rc/testkit';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Graceful shutdown of a real process (the way every service's main.ts runs): SIGTERM stops
 * taking jobs, finishes the one in flight within RC_SHUTDOWN_TIMEOUT and exits 0; past the
 * deadline it exits 1; a second signal exits at once with 128 + the signal's number.
 */

let redis: RedisServer;
let client: Redis;
const FIXTURE = 'packages/runtime/test/fixtures/slow-worker.ts';

beforeAll(async () => {
  redis = await startRedis();
  client = new Redis(redis.url);
});
afterAll(async () => {
  await client?.quit();
  await redis?.stop();
});

interface Run {
  prefix: string;
  results: Queue;
  output(): string;
  exited: Promise<{ code: number | null; at: number }>;
  signal(name: NodeJS.Signals): void;
  marks(): Promise<string[]>;
}

async function startSlowWorker(env: Record<string, string>): Promise<Run> {
  const prefix = `sd${randomBytes(4).toString('hex')}`;
  const child = spawn(process.execPath, ['--import', 'tsx', FIXTURE], {
    cwd: REPO_ROOT,
    env: {
      ...process.env,
      RC_REDIS_URL: redis.url,
      RC_QUEUE_PREFIX: prefix,
      RC_HTTP_PORT: '0',
      RC_ENGINE: 'queue',
      RC_MAILBOX_ADDRESS: 'approvals@rc.example',
      RC_SIGNING_KEYS: `k1:${'ab'.repeat(24)}`,
      RC_LOG_LEVEL: 'info',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; at: number }>((resolve) =>
    child.once('exit', (code) => resolve({ code, at: Date.now() })),
  );
  const results = new Queue('results', { connection: { port: redis.port }, prefix });
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  await waitUntil(
    'the slow worker to start',
    () => {
      if (exitedEarly) throw new Error(`the slow worker exited:\n${output}`);
      return output.includes('"started"') ? true : undefined;
    },
    30_000,
    50,
  );
  return {
    prefix,
    results,
    output: () => output,
    exited,
    signal: (name) => child.kill(name),
    marks: () => client.lrange(`${prefix}:marks`, 0, -1),
  };
}

function taskEvent(id: string) {
  return {
    event: 'task.completed',
    requestId: id,
    taskId: `T-${id}`,
    actor: { email: 'sam@corp.example', name: 'Sam' },
    comment: '',
    respondedAt: new Date().toISOString(),
    messageId: `<${id}@corp.example>`,
  };
}

async function startedJob(run: Run, id: string): Promise<void> {
  await run.results.add('task.completed', taskEvent(id), { jobId: id });
  await waitUntil(
    `job ${id} to start`,
    async () => ((await run.marks()).includes(`started:${id}`) ? true : undefined),
    10_000,
    20,
  );
}

describe('graceful shutdown of a real process', () => {
  it('SIGTERM: takes no new job, finishes the one in flight, exits 0', async () => {
    const run = await startSlowWorker({ SLOW_JOB_MS: '2000' });
    await startedJob(run, 'a');
    const signalledAt = Date.now();
    run.signal('SIGTERM');
    await run.results.add('task.completed', taskEvent('b'), { jobId: 'b' });

    const { code, at } = await run.exited;
    expect(code).toBe(0);
    expect(at - signalledAt).toBeLessThan(10_000);
    expect(await run.marks()).toEqual(['started:a', 'finished:a']);
    expect(await run.results.getJobState('b')).toBe('waiting');
    expect(await run.results.getJobState('a')).toBe('completed');
    expect(run.output()).toContain('"msg":"stopped"');
    await run.results.close();
  }, 60_000);

  it('past RC_SHUTDOWN_TIMEOUT it exits 1 and the unfinished job is left for another worker', async () => {
    const run = await startSlowWorker({ SLOW_JOB_MS: '30000', RC_SHUTDOWN_TIMEOUT: '1s' });
    await startedJob(run, 'long');
    const signalledAt = Date.now();
    run.signal('SIGTERM');
    const { code, at } = await run.exited;
    expect(code).toBe(1);
    expect(at - signalledAt).toBeGreaterThanOrEqual(950);
    expect(at - signalledAt).toBeLessThan(5_000);
    expect(run.output()).toContain('shutdown deadline passed');
    expect(await run.marks()).toEqual(['started:long']);
    expect(await run.results.getJobState('long')).toBe('active'); // its lock expires, it stalls
    await run.results.close();
  }, 60_000);

  it.each([
    ['SIGTERM', 'SIGTERM', 143],
    ['SIGTERM', 'SIGINT', 130],
    ['SIGINT', 'SIGINT', 130],
  ] as const)(
    '%s then %s exits at once with %i',
    async (first, second, expected) => {
      const run = await startSlowWorker({ SLOW_JOB_MS: '30000' });
      await startedJob(run, 'busy');
      run.signal(first);
      await waitUntil(
        'shutting down',
        () => (run.output().includes('shutting down') ? true : undefined),
        5_000,
        20,
      );
      const signalledAt = Date.now();
      run.signal(second);
      const { code, at } = await run.exited;
      expect(code).toBe(expected);
      expect(at - signalledAt).toBeLessThan(1_000);
      expect(run.output()).toContain('second signal, exiting now');
      await run.results.close();
    },
    60_000,
  );
});
