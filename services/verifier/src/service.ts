import { extendActionVocabulary } from '@rc/mail';
import {
  createWorker,
  type RunningService,
  type ServiceContext,
  type StallPolicy,
} from '@rc/runtime';
import { InboundLog, RawMessageStore, RequestStore } from '@rc/store';
import { cachedResolver, systemResolver, type DnsResolver } from './dns-cache';
import { loadDkimVerifier } from './dkim';
import { RejectionNotices } from './notices';
import { recordProcessingFailure, verifyInbound, type VerifierDeps } from './process';
import { SenderRateLimiter } from './rate-limit';

export interface VerifierOptions {
  /** replaces the system DNS resolver for DKIM keys (tests); answers are cached either way */
  dnsResolver?: DnsResolver;
  /** shorter stall detection (tests); services keep the runtime's defaults */
  stalls?: Partial<StallPolicy>;
}

/** The verifier: stateless, scale it out; every replica takes jobs from the same `inbound` queue. */
export async function startVerifier(
  context: ServiceContext,
  options: VerifierOptions = {},
): Promise<RunningService> {
  const { config, queues } = context;
  const logger = context.logger.child({ component: 'verifier' });
  if (config.verifyDkim) await loadDkimVerifier();
  const deps: VerifierDeps = {
    keyring: config.keyring,
    store: new RequestStore(context.redis, config.queuePrefix),
    inboundLog: new InboundLog(context.redis, config.queuePrefix, config.inboundLog),
    rawMessages: new RawMessageStore(context.redis, config.queuePrefix),
    updateQueue: queues.update,
    logger,
    settings: config,
    ...(config.replyWords.complete.length + config.replyWords.fail.length > 0
      ? { vocabulary: extendActionVocabulary(config.replyWords) }
      : {}),
    ...(config.verifyDkim
      ? { dnsResolver: cachedResolver(options.dnsResolver ?? systemResolver()) }
      : {}),
    ...(config.senderRateLimit
      ? {
          senderRateLimiter: new SenderRateLimiter(
            context.redis,
            config.queuePrefix,
            config.senderRateLimit,
          ),
        }
      : {}),
    ...(config.rejectionNotices
      ? { rejectionNotices: new RejectionNotices(context.redis, config.queuePrefix, queues.send) }
      : {}),
  };
  const worker = createWorker(
    'inbound',
    (data, job) =>
      verifyInbound(data, deps, { finalAttempt: job.attemptsMade + 1 >= (job.opts.attempts ?? 1) }),
    {
      connection: context.workerRedis,
      prefix: config.queuePrefix,
      // MIME parsing is CPU-bound (~0.3 ms a reply); jobs in flight hide the Redis round trips.
      // 16 rather than 8: in a backlog, more finished jobs hand over the next one directly
      // (BullMQ's fetch-next) and more of the store's commands share a socket write; 2,000-answer
      // drain ~+15 %. Each holds its message (≤ RC_MAX_MESSAGE_BYTES) while it runs. Scale with
      // replicas, not with this number.
      concurrency: 16,
      logger,
      deadLetter: queues.deadLetter,
      // Every email ends in an outcome, even one the verifier could not process at all.
      ...(options.stalls ? { stalls: options.stalls } : {}),
      onDeadLetter: (data, error, code) =>
        recordProcessingFailure(deps.inboundLog, data, error, code),
      // RC_VERIFY_RATE_LIMIT: BullMQ's limiter is per queue, so it bounds all replicas together.
      ...(config.verifyRateLimit
        ? {
            limiter: {
              max: config.verifyRateLimit.max,
              duration: config.verifyRateLimit.durationMs,
            },
          }
        : {}),
    },
  );
  return {
    name: 'verifier',
    readiness: [],
    async close() {
      await worker.close();
    },
  };
}
