import type { Config, RunningService, ServiceContext, TypedQueue } from '@rc/runtime';
import { createWorker } from '@rc/runtime';
import { RequestStore } from '@rc/store';
import type { EngineAdapter } from './adapters/engine';
import { createQueueEngine } from './adapters/queue';
import { createReleaseEngine } from './adapters/release';
import { createWebhookEngine } from './adapters/webhook';
import { applyUpdate } from './process';

export function createEngine(config: Config, results: TypedQueue<'results'>): EngineAdapter {
  switch (config.engine) {
    case 'webhook':
      if (!config.webhook) throw new Error('RC_ENGINE=webhook needs RC_WEBHOOK_URL');
      return createWebhookEngine(config.webhook);
    case 'release':
      if (!config.release) throw new Error('RC_ENGINE=release needs RC_RELEASE_URL');
      return createReleaseEngine(config.release);
    case 'queue':
      return createQueueEngine(results);
  }
}

/** The task-updater: applies each decision to the engine once, retrying with backoff. */
export async function startTaskUpdater(context: ServiceContext): Promise<RunningService> {
  const { config, queues } = context;
  const logger = context.logger.child({ component: 'task-updater' });
  const deps = {
    engine: createEngine(config, queues.results),
    store: new RequestStore(context.redis, config.queuePrefix),
    logger,
    ...(config.confirmationNotices ? { confirmations: queues.send } : {}),
  };
  const worker = createWorker('update', (job) => applyUpdate(job, deps), {
    connection: context.workerRedis,
    prefix: config.queuePrefix,
    // Engine calls in flight per replica: what an engine sees at once, and what a crash can make
    // it see twice (same Idempotency-Key). The engine, not this service, is the slow side.
    concurrency: 10,
    logger,
    deadLetter: queues.deadLetter,
  });
  return {
    name: 'task-updater',
    readiness: [],
    async close() {
      await worker.close();
    },
  };
}
