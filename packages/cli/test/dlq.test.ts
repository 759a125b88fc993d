import { randomBytes } from 'node:crypto';
import type { InboundJob, QueueName, SendNoticeJob, UpdateJob } from '@rc/contracts';
import {
  createLogger,
  createQueues,
  createRedis,
  createWorker,
  loadConfig,
  PermanentJobError,
  type Queues,
  type Redis,
} from '@rc/runtime';
import { startRedis, waitUntil, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../src';

/**
 * `rc dlq list` and `rc dlq replay` on real Redis, with real (runtime) workers on three queues
 * whose handlers fail permanently during an outage: what an operator does after one.
 */

let redisServer: RedisServer;
const connections: Redis[] = [];
const closers: (() => Promise<unknown>)[] = [];
let env: Record<string, string>;
let queues: Queues;
let outage = true;
/** job ids each handler completed, per queue */
const handled: Record<string, string[]> = { send: [], inbound: [], update: [] };

beforeAll(async () => {
  redisServer = await startRedis();
  env = {
    RC_REDIS_URL: redisServer.url,
    RC_QUEUE_PREFIX: `dlq${randomBytes(4).toString('hex')}`,
    RC_MAILBOX_ADDRESS: 'approvals@rc.example',
    RC_SIGNING_KEYS: `k1:${'56'.repeat(24)}`,
  };
  const config = loadConfig(env, []);
  const client = createRedis(redisServer.url, 'client');
  connections.push(client);
  queues = createQueues(client, config);
  const logger = createLogger({ service: 'dlq-test', level: 'silent' });
  for (const name of ['send', 'inbound', 'update'] as const) {
    const connection = createRedis(redisServer.url, 'worker');
    connections.push(connection);
    const worker = createWorker(
      name,
      async (_data, job) => {
        if (outage) throw new PermanentJobError('the engine is down', 'ENGINE_UNAVAILABLE');
        handled[name]?.push(String(job.id));
      },
      {
        connection,
        prefix: config.queuePrefix,
        concurrency: 1,
        logger,
        deadLetter: queues.deadLetter,
      },
    );
    closers.push(() => worker.close());
  }
});

afterAll(async () => {
  for (const close of closers) await close();
  await Promise.allSettled(Object.values(queues ?? {}).map((queue) => queue.close()));
  for (const connection of connections) connection.disconnect();
  await redisServer?.stop();
});

async function rc(args: string[], extraEnv: Record<string, string> = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    env: { ...env, ...extraEnv },
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  };
  const code = await runCli(args, io);
  return { code, stdout, stderr, lines: stdout.trim().split('\n') };
}

const jsonLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));

const at = () => new Date().toISOString();
const update = (requestId: string): UpdateJob => ({
  requestId,
  taskId: `Task-${requestId}`,
  action: 'complete',
  actor: { email: 'alice@corp.example', name: 'Alice' },
  comment: 'ok',
  respondedAt: at(),
  messageId: `<${requestId}@corp.example>`,
  inboundId: `in-${requestId}`,
});
const notice: SendNoticeJob = {
  kind: 'notice',
  to: 'alice@corp.example',
  notice: { type: 'rejection', reason: 'expired' },
};
const inbound: InboundJob = {
  inboundId: 'inbound-1',
  source: 'imap',
  mailbox: 'INBOX',
  receivedAt: at(),
  size: 5,
  rawBase64: Buffer.from('Hi\r\n').toString('base64'),
  truncated: false,
};

async function deadLettered(queue: QueueName, jobId: string) {
  return waitUntil(`dead letter ${queue}-${jobId}`, () =>
    queues.deadLetter.getJob(`${queue}-${jobId}`),
  );
}

describe('rc dlq after an outage over several queues', () => {
  it('lists with filters, replays --all past a poison job with progress, and refuses a second replay', async () => {
    await queues.update.add('update', update('r1'), { jobId: 'update-r1' });
    await deadLettered('update', 'update-r1');
    await queues.send.add('notice', notice, { jobId: 'notice-1' });
    await deadLettered('send', 'notice-1');
    await queues.inbound.add('inbound', inbound, { jobId: 'inbound-1' });
    await deadLettered('inbound', 'inbound-1');
    // An older producer's update without a taskId: dead-lettered unprocessed, never replayable.
    const poison = { ...update('r2'), taskId: undefined } as unknown as UpdateJob;
    await queues.update.add('update', poison, { jobId: 'update-r2' });
    await deadLettered('update', 'update-r2');

    const listed = await rc(['dlq', 'list', '--json']);
    expect(listed.code).toBe(0);
    const [all] = jsonLines(listed.stdout);
    expect(all.items.map((item: { id: string }) => item.id)).toEqual([
      'update-update-r2',
      'inbound-inbound-1',
      'send-notice-1',
      'update-update-r1',
    ]);
    expect(all.items[0]).toMatchObject({ code: 'PAYLOAD_INVALID', requestId: 'r2' });
    expect(all.items[3]).toMatchObject({
      queue: 'update',
      code: 'ENGINE_UNAVAILABLE',
      attempts: 1,
    });
    const byQueue = jsonLines((await rc(['dlq', 'list', '--queue', 'update', '--json'])).stdout)[0];
    expect(byQueue.items.map((item: { id: string }) => item.id)).toEqual([
      'update-update-r2',
      'update-update-r1',
    ]);
    const byCode = jsonLines(
      (await rc(['dlq', 'list', '--code', 'ENGINE_UNAVAILABLE', '--limit', '2', '--json'])).stdout,
    )[0];
    expect(byCode.items.map((item: { id: string }) => item.id)).toEqual([
      'inbound-inbound-1',
      'send-notice-1',
    ]);
    const text = await rc(['dlq', 'list', '--limit', '1']);
    expect(text.stdout).toMatch(
      /update-update-r2 {2}PAYLOAD_INVALID after 1 attempts request r2: /,
    );

    outage = false;
    const replay = await rc(['dlq', 'replay', '--all']);
    expect(replay.code).toBe(1);
    expect(replay.lines).toEqual([
      expect.stringMatching(/^failed 1\/4 update-update-r2: invalid: taskId: /),
      'replayed 2/4 inbound-inbound-1 → inbound (retried)',
      'replayed 3/4 send-notice-1 → send (retried)',
      'replayed 4/4 update-update-r1 → update (retried)',
    ]);
    expect(replay.stderr).toContain('replayed 3 of 4, 0 skipped');
    expect(replay.stderr).toContain('1 failed: update-update-r2');
    await waitUntil('the replayed jobs to be handled', () =>
      handled.update?.length && handled.send?.length && handled.inbound?.length ? true : undefined,
    );
    expect(handled).toEqual({ send: ['notice-1'], inbound: ['inbound-1'], update: ['update-r1'] });

    const twice = await rc(['dlq', 'replay', '--all', '--json']);
    expect(twice.code).toBe(1);
    const events = jsonLines(twice.stdout);
    expect(events.slice(0, -1).map((event) => [event.event, event.done, event.total])).toEqual([
      ['progress', 1, 4],
      ['progress', 2, 4],
      ['progress', 3, 4],
      ['progress', 4, 4],
    ]);
    expect(events.at(-1)).toMatchObject({ ok: false, total: 4, replayed: 0, skipped: 3 });

    const again = await rc(['dlq', 'replay', 'update-update-r1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(
      /not replayed update-update-r1: already_replayed: replayed before/,
    );
    const forced = await rc(['dlq', 'replay', 'update-update-r1', '--force', '--json']);
    expect(forced.code).toBe(0);
    expect(jsonLines(forced.stdout)[0]).toMatchObject({ ok: true, result: { action: 'retried' } });
    const listedAfter = jsonLines((await rc(['dlq', 'list', '--json'])).stdout)[0];
    const marks = Object.fromEntries(
      listedAfter.items.map((item: { id: string; replayedAt?: string }) => [
        item.id,
        !!item.replayedAt,
      ]),
    );
    expect(marks).toEqual({
      'update-update-r2': false,
      'inbound-inbound-1': true,
      'send-notice-1': true,
      'update-update-r1': true,
    });
  });
});

describe('rc dlq usage', () => {
  it('exits 1 on wrong arguments, 78 on bad configuration', async () => {
    expect((await rc(['dlq', 'replay'])).code).toBe(1);
    expect((await rc(['dlq', 'replay', 'a', '--all'])).code).toBe(1);
    expect((await rc(['dlq', 'replay', 'a', '--queue', 'send'])).code).toBe(1);
    const badQueue = await rc(['dlq', 'list', '--queue', 'dead-letter']);
    expect(badQueue.code).toBe(1);
    expect(badQueue.stderr).toContain('--queue must be one of send, inbound, update, results');
    expect((await rc(['dlq', 'list', '--limit', '0'])).code).toBe(1);
    expect((await rc(['dlq', 'replay', 'nothing-here'])).code).toBe(1);
    const badConfig = await rc(['dlq', 'list'], { RC_REDIS_URL: 'ftp://nowhere' });
    expect(badConfig.code).toBe(78);
    expect(badConfig.stderr).toMatch(/^config error: RC_REDIS_URL: /);
  });
});
