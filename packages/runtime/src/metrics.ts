import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * One registry per process. In `pnpm start` all four services share it, so every metric is
 * defined once here and labelled, rather than per service.
 */
export const registry = new Registry();
collectDefaultMetrics({ register: registry, prefix: 'rc_process_' });

export const metrics = {
  jobsProcessed: new Counter({
    name: 'rc_jobs_processed_total',
    help: 'Jobs processed, by queue and result (completed, failed, dead_lettered)',
    labelNames: ['queue', 'result'] as const,
    registers: [registry],
  }),
  jobDuration: new Histogram({
    name: 'rc_job_duration_seconds',
    help: 'Time spent processing one job, by queue',
    labelNames: ['queue'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30],
    registers: [registry],
  }),
  deadLetters: new Counter({
    name: 'rc_dead_letters_total',
    help: 'Jobs copied to the dead-letter queue, by source queue and error code (ERROR_CODES)',
    labelNames: ['queue', 'code'] as const,
    registers: [registry],
  }),
  jobsStalled: new Counter({
    name: 'rc_jobs_stalled_total',
    help: 'Jobs whose worker stopped mid-job (crash, kill, blocked event loop), by queue',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  queueDepth: new Gauge({
    name: 'rc_queue_jobs',
    help: 'Jobs in a queue by state, read at scrape time',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
  }),
  inboundOutcomes: new Counter({
    name: 'rc_inbound_outcomes_total',
    help: 'Inbound emails by outcome and rejection reason',
    labelNames: ['outcome', 'reason'] as const,
    registers: [registry],
  }),
  mailsFetched: new Counter({
    name: 'rc_mailbox_messages_fetched_total',
    help: 'Messages taken from the mailbox and queued',
    labelNames: ['source'] as const,
    registers: [registry],
  }),
  mailboxSyncs: new Counter({
    name: 'rc_mailbox_syncs_total',
    help: 'Mailbox sync cycles, by trigger (startup, reconnect, new-mail, interval, poll, backlog, retry) and result (ok, error, throttled)',
    labelNames: ['trigger', 'result'] as const,
    registers: [registry],
  }),
  pollerLeader: new Gauge({
    name: 'rc_poller_leader',
    help: 'Whether this process is the active poller of the mailbox (1) or a standby (0)',
    labelNames: ['mailbox'] as const,
    registers: [registry],
  }),
  pollerTakeovers: new Counter({
    name: 'rc_poller_takeovers_total',
    help: 'Times this process became the active poller of the mailbox (its first start included)',
    labelNames: ['mailbox'] as const,
    registers: [registry],
  }),
  pickupLatency: new Histogram({
    name: 'rc_pickup_latency_seconds',
    help: 'From the Date header (or arrival) of an answer to it being queued by the poller',
    buckets: [0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
    registers: [registry],
  }),
  emailsSent: new Counter({
    name: 'rc_emails_sent_total',
    help: 'Emails sent by kind (request, rejection, confirmation) and result',
    labelNames: ['kind', 'result'] as const,
    registers: [registry],
  }),
  jobWait: new Histogram({
    name: 'rc_job_wait_seconds',
    help: 'Time a job waited in its queue before its first attempt, by queue',
    labelNames: ['queue'] as const,
    buckets: [0.005, 0.025, 0.1, 0.25, 0.5, 1, 2, 5, 15, 60, 300],
    registers: [registry],
  }),
  mailboxLastSyncSuccess: new Gauge({
    name: 'rc_mailbox_last_sync_success_timestamp_seconds',
    help: 'Unix time of the last mailbox sync that succeeded',
    registers: [registry],
  }),
  mailboxPending: new Gauge({
    name: 'rc_mailbox_messages_pending',
    help: 'Messages in the watched folder after the last sync (as the IMAP server reports EXISTS)',
    registers: [registry],
  }),
  readinessCheckOk: new Gauge({
    name: 'rc_readiness_check_ok',
    help: 'Whether each /readyz check passed when last evaluated (1) or failed (0)',
    labelNames: ['check'] as const,
    registers: [registry],
  }),
  endToEndLatency: new Histogram({
    name: 'rc_end_to_end_latency_seconds',
    help: 'From an answer reaching the mailbox to the engine having it (told, or already had it)',
    buckets: [0.25, 0.5, 1, 2, 5, 15, 60, 300, 1800, 7200],
    registers: [registry],
  }),
  queueOldestJobAge: new Gauge({
    name: 'rc_queue_oldest_job_age_seconds',
    help: 'Age of the oldest job waiting in each queue (0 when none waits), read at scrape time',
    labelNames: ['queue'] as const,
    registers: [registry],
  }),
  engineCalls: new Counter({
    name: 'rc_engine_calls_total',
    help: 'Calls to the release engine, by adapter and result (ok, conflict, retry, permanent)',
    labelNames: ['engine', 'result'] as const,
    registers: [registry],
  }),
  requestsCreated: new Counter({
    name: 'rc_completion_requests_total',
    help: 'Completion requests accepted, by channel (http, queue)',
    labelNames: ['channel'] as const,
    registers: [registry],
  }),
};
