import { QUEUE_NAMES, type QueueName } from '@rc/contracts';
import type { Queue } from 'bullmq';
import type { Router } from 'express';
import type { Logger } from 'pino';
import { loadConfigOrExit, type Config, type ConfigSection, type ServiceRole } from './config';
import { startHttpServer, type HttpServer, type ReadinessCheck } from './http-server';
import { createLogger } from './logger';
import { observeQueueDepth } from './queue-depth';
import { createQueue, type TypedQueue } from './queues';
import { createRedis, pingRedis, type Redis } from './redis';
import { closeOnSignals } from './shutdown';

export type Queues = {
  [N in QueueName as N extends 'dead-letter' ? 'deadLetter' : N]: TypedQueue<N>;
};

/** What every service gets: configuration, a logger, Redis connections and the queues. */
export interface ServiceContext {
  config: Config;
  logger: Logger;
  /**
   * for reads and writes (the store): fails fast; commands of one tick share a socket write.
   * Producers use `queues`, which have a connection of their own (see startHost).
   */
  redis: Redis;
  /** for BullMQ workers: waits through reconnects (maxRetriesPerRequest: null) */
  workerRedis: Redis;
  queues: Queues;
}

/** A started service: what the host serves over HTTP for it, and how to stop it. */
export interface RunningService {
  name: ServiceRole;
  readiness: ReadinessCheck[];
  routers?: Router[];
  /** stop taking work and finish what is in flight; connections are closed by the host */
  close(): Promise<void>;
}

export type ServiceStarter = (context: ServiceContext) => Promise<RunningService>;

export function createQueues(redis: Redis, config: Config): Queues {
  const make = <N extends QueueName>(name: N) =>
    createQueue(name, redis, config.queuePrefix, config.retry);
  return {
    send: make(QUEUE_NAMES.send),
    inbound: make(QUEUE_NAMES.inbound),
    update: make(QUEUE_NAMES.update),
    results: make(QUEUE_NAMES.results),
    deadLetter: make(QUEUE_NAMES.deadLetter),
    timers: make(QUEUE_NAMES.timers),
  };
}

export interface Host {
  context: ServiceContext;
  services: RunningService[];
  http: HttpServer;
  close(): Promise<void>;
}

/**
 * Starts services in this process on one HTTP port. Each service's main.ts calls this with
 * one starter; `pnpm start` calls it with all four. Used directly by tests, which pass an
 * explicit config instead of reading the environment.
 */
export async function startHost(
  config: Config,
  starters: ServiceStarter[],
  serviceName: string,
): Promise<Host> {
  const logger = createLogger({ service: serviceName, level: config.logLevel });
  // The queues get a connection of their own: BullMQ defines ~50 scripts on the connection it
  // is given, and ioredis copies them all into every MULTI and pipeline built from it (~0.1 ms
  // of CPU each), which would make auto-pipelining the store's commands cost more than it saves.
  const redis = createRedis(config.redisUrl, 'client', {
    autoPipelining: true,
    tlsCaFile: config.tlsCaFile,
  });
  const queueRedis = createRedis(config.redisUrl, 'queues', { tlsCaFile: config.tlsCaFile });
  const workerRedis = createRedis(config.redisUrl, 'worker', { tlsCaFile: config.tlsCaFile });
  for (const [name, connection] of [
    ['client', redis],
    ['queues', queueRedis],
    ['worker', workerRedis],
  ] as const) {
    connection.on('error', (error: Error) =>
      logger.warn({ connection: name, err: error.message }, 'redis connection error'),
    );
  }
  const queues = createQueues(queueRedis, config);
  const context: ServiceContext = { config, logger, redis, workerRedis, queues };

  const services: RunningService[] = [];
  try {
    for (const start of starters) services.push(await start(context));
  } catch (error) {
    await Promise.allSettled(services.map((service) => service.close()));
    await Promise.allSettled(Object.values(queues).map((queue: Queue) => queue.close()));
    redis.disconnect();
    queueRedis.disconnect();
    workerRedis.disconnect();
    throw error;
  }

  const http = await startHttpServer({
    port: config.httpPort,
    logger,
    readiness: [
      { name: 'redis', check: () => pingRedis(redis) },
      ...services.flatMap((service) => service.readiness),
    ],
    routers: services.flatMap((service) => service.routers ?? []),
    beforeMetrics: () => observeQueueDepth(Object.values(queues)),
  });

  let closed: Promise<void> | undefined;
  // Intake first (no new requests, those in flight answered), then the services stop taking
  // jobs and finish theirs, and only then the connections they used go.
  const close = () =>
    (closed ??= (async () => {
      await http.close();
      await Promise.allSettled(services.map((service) => service.close()));
      await Promise.allSettled(Object.values(queues).map((queue: Queue) => queue.close()));
      await Promise.allSettled([redis.quit(), queueRedis.quit(), workerRedis.quit()]);
    })());
  logger.info({ services: services.map((service) => service.name), port: http.port }, 'started');
  return { context, services, http, close };
}

/**
 * The whole of a service's main.ts: environment → config → host → signals. `sections` are the
 * settings the services own themselves (e.g. the task-updater's engine), checked with the rest.
 */
export async function runFromEnvironment(
  roles: ServiceRole[],
  starters: ServiceStarter[],
  serviceName: string,
  sections: readonly ConfigSection<unknown>[] = [],
): Promise<void> {
  const config = loadConfigOrExit(roles, process.env, sections);
  try {
    const host = await startHost(config, starters, serviceName);
    closeOnSignals(host.context.logger, host.close, config.shutdownTimeoutMs);
  } catch (error) {
    process.stderr.write(
      `${serviceName} failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}
