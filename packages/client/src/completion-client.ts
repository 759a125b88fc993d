import { randomUUID } from 'node:crypto';
import {
  completionRequestInputSchema,
  JOB_IDS,
  QUEUE_NAMES,
  type AuditEvent,
  type CompletionRequestInput,
  type JobName,
  type RequestRecord,
  type TaskEvent,
} from '@rc/contracts';
// the queue-only entry point: no metrics, logging or HTTP loaded into the engine's process
import { createQueue, type RetryPolicy, type TypedQueue } from '@rc/runtime/queues';
import { createRedis, type Redis } from '@rc/runtime/redis';
import { RequestStore, type CancelResult } from '@rc/store';
import { Worker } from 'bullmq';

export interface CompletionClientOptions {
  /** the same Redis the services use (RC_REDIS_URL) */
  redisUrl: string;
  /** the same prefix the services use (RC_QUEUE_PREFIX) */
  prefix?: string;
  /**
   * attempts and first backoff for sending a request, as RC_RETRY_ATTEMPTS and
   * RC_RETRY_BASE_DELAY do for the services (default 12 attempts from 1 s)
   */
  retry?: RetryPolicy;
  /** a private CA (PEM file) trusted beside the public roots on `rediss` (as RC_TLS_CA_FILE) */
  tlsCaFile?: string;
}

/** A worker on the `results` queue (RC_ENGINE=queue), typed by its contract. */
export type ResultWorker = Worker<TaskEvent, unknown, JobName<'results'>>;

export class InvalidCompletionRequestError extends Error {
  readonly code = 'INVALID_COMPLETION_REQUEST';
  constructor(readonly problems: string[]) {
    super(`invalid completion request: ${problems.join('; ')}`);
  }
}

/**
 * What a Node release engine imports: request, cancel and inspect completions with types,
 * and (with RC_ENGINE=queue) receive results. Talks to the same Redis as the services; the
 * sender picks the job up and emails the assignees.
 */
export class CompletionClient {
  private readonly redis: Redis;
  private readonly redisUrl: string;
  private readonly tlsCaFile: string | undefined;
  private readonly prefix: string;
  private readonly sendQueue: TypedQueue<'send'>;
  private readonly store: RequestStore;
  private readonly workers: { worker: ResultWorker; connection: Redis }[] = [];

  constructor(options: CompletionClientOptions) {
    this.prefix = options.prefix ?? 'rc';
    // Producers fail fast (BullMQ's guide): a caller learns at once that Redis is down.
    // (also a Redis Cluster or Sentinel URL, as RC_REDIS_URL takes them)
    this.redisUrl = options.redisUrl;
    this.tlsCaFile = options.tlsCaFile;
    this.redis = createRedis(options.redisUrl, 'client', { tlsCaFile: options.tlsCaFile });
    this.redis.on('error', () => undefined); // surfaced by the failing call instead
    // The same job options as the HTTP intake's queue: a request is a request, however it came.
    this.sendQueue = createQueue(QUEUE_NAMES.send, this.redis, this.prefix, options.retry);
    this.store = new RequestStore(this.redis, this.prefix);
  }

  /** Validates and queues a request; the same requestId twice is one request. */
  async requestCompletion(input: CompletionRequestInput): Promise<{ requestId: string }> {
    const parsed = completionRequestInputSchema.safeParse(input);
    if (!parsed.success) {
      throw new InvalidCompletionRequestError(
        parsed.error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`),
      );
    }
    const requestId = parsed.data.requestId ?? randomUUID();
    await this.sendQueue.add(
      'request',
      {
        kind: 'request',
        request: { ...parsed.data, requestId },
        requestedAt: new Date().toISOString(),
        channel: 'queue',
      },
      { jobId: JOB_IDS.request(requestId) },
    );
    return { requestId };
  }

  /** Cancels a request (done elsewhere, or reassigned): later answers are rejected as `cancelled`. */
  async cancel(requestId: string): Promise<CancelResult> {
    return this.store.cancel(requestId, new Date().toISOString());
  }

  /** The request's state and audit trail; null until the sender has taken the job. */
  async get(requestId: string): Promise<(RequestRecord & { events: AuditEvent[] }) | null> {
    const record = await this.store.get(requestId);
    return record ? { ...record, events: await this.store.events(requestId) } : null;
  }

  /**
   * Receives decisions when the services run with RC_ENGINE=queue. The handler should be
   * idempotent on `requestId`: a crash after it returns but before the job is acknowledged
   * delivers the same result again.
   */
  onResult(
    handler: (event: TaskEvent) => Promise<void>,
    options: { concurrency?: number } = {},
  ): ResultWorker {
    // BullMQ does not close a connection it was given, so the client keeps it to close later.
    const connection = createRedis(this.redisUrl, 'worker', { tlsCaFile: this.tlsCaFile });
    const worker: ResultWorker = new Worker(QUEUE_NAMES.results, async (job) => handler(job.data), {
      connection,
      prefix: this.prefix,
      concurrency: options.concurrency ?? 1,
    });
    worker.on('error', () => undefined); // reconnects on its own; errors reach the handler's job
    this.workers.push({ worker, connection });
    return worker;
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.close()));
    await Promise.all(this.workers.map(({ connection }) => connection.quit()));
    await this.sendQueue.close();
    await this.redis.quit();
  }
}
