export {
  ConfigError,
  ConfigReader,
  DEFAULT_OAUTH2_SCOPE,
  EXIT_CONFIG,
  KNOWN_VARIABLES,
  loadConfig,
  loadConfigOrExit,
  parseRateLimit,
  sectionOf,
  type Config,
  type ConfigEnv,
  type ConfigSection,
  type CoreConfig,
  type EncryptionConfig,
  type EncryptionKey,
  type GraphConfig,
  type GraphSettings,
  type HttpConfig,
  type ImapConfig,
  type ImapSettings,
  type MailAuth,
  type MailConfig,
  type OAuth2Config,
  type OAuth2Settings,
  type PollerConfig,
  type RateLimit,
  type SectionsConfig,
  type Security,
  type ServiceRole,
  type SmtpConfig,
  type SmtpSettings,
  type TrustConfig,
} from './config';
export { backoffWithJitter } from './backoff';
export { parseDuration } from './duration';
export { createLogger, type Logger } from './logger';
export { metrics, registry } from './metrics';
export { createRedis, pingRedis, type Redis, type RedisClientOptions } from './redis';
export { RedisScript, type ScriptArgument } from './redis-script';
export {
  createQueue,
  DEFAULT_RETRY,
  defaultJobOptions,
  type QueuePayloads,
  type RetryPolicy,
  type TypedQueue,
} from './queues';
export { observeQueueDepth } from './queue-depth';
export {
  createWorker,
  type JobHandler,
  type StallPolicy,
  type TypedJob,
  type WorkerOptions,
} from './worker';
export { PermanentJobError } from './permanent-job-error';
export { type DeadLetterHook } from './dead-letter';
export {
  listDeadLetters,
  type DeadLetterEntry,
  type DeadLetterFilter,
  REPLAYABLE_QUEUES,
} from './dead-letter-list';
export {
  replayAllDeadLetters,
  replayDeadLetter,
  type ReplayAction,
  type ReplayAllOptions,
  type ReplayAllSummary,
  type ReplayError,
  type ReplayResult,
} from './dead-letter-replay';
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
