import { createWorker, type RunningService, type ServiceContext } from '@rc/runtime';
import { InboundLog, RequestStore } from '@rc/store';
import { verifyInbound } from './process';

/** The verifier: stateless, scale it out; every replica takes jobs from the same `inbound` queue. */
export async function startVerifier(context: ServiceContext): Promise<RunningService> {
  const { config, queues } = context;
  const logger = context.logger.child({ component: 'verifier' });
  const deps = {
    keyring: config.keyring,
    store: new RequestStore(context.redis, config.queuePrefix),
    inboundLog: new InboundLog(context.redis, config.queuePrefix),
    updateQueue: queues.update,
    logger,
    settings: {
      mailboxAddress: config.mailboxAddress,
      mailFrom: config.mailFrom,
      maxMessageBytes: config.maxMessageBytes,
      whitelist: config.whitelist,
      requireDmarc: config.requireDmarc,
      trustedAuthservId: config.trustedAuthservId,
    },
  };
  const worker = createWorker('inbound', (job) => verifyInbound(job, deps), {
    connection: context.workerRedis,
    prefix: config.queuePrefix,
    // MIME parsing is CPU-bound; a few in flight hide the Redis round trips without starving the loop.
    concurrency: 4,
    logger,
    deadLetter: queues.deadLetter,
  });
  return {
    name: 'verifier',
    readiness: [],
    async close() {
      await worker.close();
    },
  };
}
