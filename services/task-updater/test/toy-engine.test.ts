import { randomBytes } from 'node:crypto';
import { JOB_IDS } from '@rc/contracts';
import { ConfigError, loadConfig, startHost, type Config, type Host } from '@rc/runtime';
import { startRedis, waitUntil, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ENGINES,
  engineConfigSection,
  startTaskUpdater,
  type EngineDefinition,
} from '../src/index';
import { decidedRequest } from './fixtures/decided-request';
import { toldToToy, toyEngine } from './fixtures/toy-engine';

/**
 * Issue 7: a new engine is one file (fixtures/toy-engine.ts) and one registration line (below),
 * and the real worker on real Redis tells it.
 */
const engines = [...ENGINES, toyEngine];

let redis: RedisServer;
const hosts: Host[] = [];

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await Promise.allSettled(hosts.map((host) => host.close()));
  await redis?.stop();
});

function toyEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: `toy${randomBytes(4).toString('hex')}`,
    RC_MAILBOX_ADDRESS: 'approvals@rc.example',
    RC_SIGNING_KEYS: `k1:${'cd'.repeat(24)}`,
    RC_ENGINE: 'toy',
    RC_TOY_CHANNEL: 'release-ops',
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    ...extra,
  };
}

async function startWith(
  config: Config,
  withEngines: readonly EngineDefinition<unknown>[] = engines,
): Promise<Host> {
  const host = await startHost(
    config,
    [(context) => startTaskUpdater(context, { engines: withEngines })],
    'toy-engine-test',
  );
  hosts.push(host);
  return host;
}

describe('a toy engine registered with one line', () => {
  it('is chosen by RC_ENGINE, gets its own settings, and is told by the worker', async () => {
    const config = loadConfig(toyEnv(), ['task-updater'], [engineConfigSection(engines)]);
    expect(config.sections.engine).toEqual({
      engine: 'toy',
      settings: { channel: 'release-ops' },
    });
    const host = await startWith(config);
    const { store, update } = await decidedRequest(host, { action: 'fail' });
    await host.context.queues.update.add('update', update, {
      jobId: JOB_IDS.update(update.requestId),
    });

    await waitUntil('the toy engine to be told', async () =>
      (await store.get(update.requestId))?.status === 'failed' ? true : undefined,
    );
    expect(toldToToy.filter((told) => told.event.requestId === update.requestId)).toEqual([
      {
        channel: 'release-ops',
        event: expect.objectContaining({
          event: 'task.failed',
          requestId: update.requestId,
          taskId: update.taskId,
          comment: update.comment,
        }) as unknown,
      },
    ]);
    const events = await store.events(update.requestId);
    expect(events.find((event) => event.type === 'engine_notified')?.detail).toBe('toy: fail');
  });

  it("reports the toy's settings problems with everyone else's", () => {
    const { RC_TOY_CHANNEL: _channel, ...env } = toyEnv();
    const failure = (() => {
      try {
        loadConfig(
          { ...env, RC_BATCH_SIZE: '0' },
          ['task-updater'],
          [engineConfigSection(engines)],
        );
        return undefined;
      } catch (error) {
        return error;
      }
    })();
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems).toEqual([
      expect.stringMatching(/^RC_BATCH_SIZE: /),
      'RC_TOY_CHANNEL: is required with RC_ENGINE=toy, e.g. RC_TOY_CHANNEL=release-ops',
    ]);
  });

  it('without its registration line, RC_ENGINE=toy is a configuration problem', () => {
    expect(() => loadConfig(toyEnv(), ['task-updater'], [engineConfigSection()])).toThrow(
      'RC_ENGINE: must be one of webhook, release, queue, not "toy"',
    );
  });
});

describe('the task-updater without its engine section', () => {
  it('refuses to start with a clear error', async () => {
    const config = loadConfig(toyEnv(), ['task-updater']);
    await expect(startWith(config)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/no engine settings: .*engineConfigSection\(\)/) as unknown,
    });
  });

  it('refuses an engine the section knows but the task-updater was not given', async () => {
    const config = loadConfig(toyEnv(), ['task-updater'], [engineConfigSection(engines)]);
    await expect(startWith(config, ENGINES)).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringMatching(/^RC_ENGINE=toy .* started without it/) as unknown,
    });
  });
});
