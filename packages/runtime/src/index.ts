export {
  ConfigError,
  EXIT_CONFIG,
  loadConfig,
  loadConfigOrExit,
  type Config,
  type Security,
  type ServiceRole,
} from './config';
export { parseDuration } from './duration';
export { createLogger, type Logger } from './logger';
export { metrics, registry } from './metrics';
export { createRedis, pingRedis, type Redis } from './redis';
export {
  createQueue,
  createWorker,
  defaultJobOptions,
  observeQueueDepth,
  PermanentJobError,
  type JobHandler,
  type QueuePayloads,
  type RetryPolicy,
  type TypedQueue,
  type WorkerOptions,
} from './queues';
export {
  startHttpServer,
  type HttpServer,
  type HttpServerOptions,
  type ReadinessCheck,
} from './http-server';
export { closeOnSignals } from './shutdown';
export {
  createQueues,
  runFromEnvironment,
  startHost,
  type Host,
  type Queues,
  type RunningService,
  type ServiceContext,
  type ServiceStarter,
} from './service-host';
export { tlsTrustOptions } from './tls';
