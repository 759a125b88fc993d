import { createWorker, type RunningService, type ServiceContext } from '@rc/runtime';
import { RequestStore } from '@rc/store';
import type { EngineDefinition } from './engines/engine';
import { selectedEngine } from './engines/config-section';
import { ENGINES } from './engines/registry';
import { applyUpdate, type UpdaterDeps } from './process';

export interface TaskUpdaterOptions {
  /** the engines RC_ENGINE may name; the same list the config section was given */
  engines?: readonly EngineDefinition<unknown>[];
}

/** The task-updater: applies each decision to the engine once, retrying with backoff. */
export async function startTaskUpdater(
  context: ServiceContext,
  { engines = ENGINES }: TaskUpdaterOptions = {},
): Promise<RunningService> {
  const { config, queues } = context;
  const logger = context.logger.child({ component: 'task-updater' });
  const { definition, settings } = selectedEngine(config, engines);
  const deps: UpdaterDeps = {
    engine: definition.create(settings, {
      results: queues.results,
      tlsCaFile: config.tlsCaFile,
      logger,
    }),
    store: new RequestStore(context.redis, config.queuePrefix),
    logger,
    ...(config.confirmationNotices ? { confirmations: queues.send } : {}),
  };
  const worker = createWorker('update', (update) => applyUpdate(update, deps), {
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
