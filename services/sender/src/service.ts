import { sharedOAuth2Tokens } from '@rc/microsoft';
import { createWorker, type Logger, type RunningService, type ServiceContext } from '@rc/runtime';
import { InboundLog, RequestStore, TimerStore } from '@rc/store';
import { createGraphTransport } from './adapters/graph';
import { createSmtpTransport } from './adapters/smtp';
import type { MailTransport } from './adapters/mail-transport';
import { createAdminRouter } from './admin/admin-router';
import { createDeadLettersRouter } from './dead-letters';
import { createIntakeRouter } from './intake';
import { createOpenApiRouter } from './openapi/openapi-router';
import { processSendJob, type SenderDeps } from './process';
import { processTimerJob } from './timers/process-timer';

export interface SenderOptions {
  /** replaces the transport chosen by RC_MAIL_TRANSPORT (tests) */
  transport?: MailTransport;
}

/** The sender: the HTTP intake, and a worker that emails requests and notices. */
export async function startSender(
  context: ServiceContext,
  options: SenderOptions = {},
): Promise<RunningService> {
  const { config, logger: rootLogger, redis, workerRedis, queues } = context;
  const logger = rootLogger.child({ component: 'sender' });
  const store = new RequestStore(redis, config.queuePrefix);
  const inboundLog = new InboundLog(redis, config.queuePrefix, config.inboundLog);
  const transport = options.transport ?? transportOf(context, logger);

  const timers = { queue: queues.timers, store: new TimerStore(redis, config.queuePrefix) };
  const deps: SenderDeps = { store, transport, config, logger, timers };
  const worker = createWorker('send', (job) => processSendJob(job, deps), {
    connection: workerRedis,
    prefix: config.queuePrefix,
    concurrency: 10,
    logger,
    deadLetter: queues.deadLetter,
    // RC_SEND_RATE_LIMIT, across all sender replicas: providers throttle bulk senders
    // (Exchange Online: 30 messages a minute per mailbox).
    ...(config.sendRateLimit
      ? { limiter: { max: config.sendRateLimit.max, duration: config.sendRateLimit.durationMs } }
      : {}),
  });

  // Reminders, escalations and expiries: delayed jobs any sender replica may run when due.
  const timerWorker = createWorker(
    'timers',
    (job) => processTimerJob(job, { ...deps, timers, updateQueue: queues.update }),
    {
      connection: workerRedis,
      prefix: config.queuePrefix,
      concurrency: 5,
      logger,
      deadLetter: queues.deadLetter,
    },
  );

  if (!config.apiToken)
    logger.warn('RC_API_TOKEN is not set: the HTTP intake answers 401 to every call');
  return {
    name: 'sender',
    readiness: [{ name: config.mailTransport, check: () => transport.verify() }],
    routers: [
      createIntakeRouter({
        config,
        store,
        inboundLog,
        sendQueue: queues.send,
        logger,
        timerStore: timers.store,
      }),
      createDeadLettersRouter({ apiToken: config.apiToken, queues, logger }),
      createOpenApiRouter(config),
      // RC_ADMIN_PASSWORD unset: no admin pages at all (404, not a login prompt)
      ...(config.adminPassword
        ? [createAdminRouter({ password: config.adminPassword, store, inboundLog, queues, logger })]
        : []),
    ],
    async close() {
      await Promise.all([worker.close(), timerWorker.close()]);
      transport.close();
    },
  };
}

/** RC_MAIL_TRANSPORT: Graph sendMail, or SMTP with a password or XOAUTH2 (RC_SMTP_AUTH). */
function transportOf({ config, redis }: ServiceContext, logger: Logger): MailTransport {
  if (config.mailTransport === 'graph') return createGraphTransport(config, logger);
  if (config.smtp.auth !== 'oauth2' || !config.oauth2) return createSmtpTransport(config, logger);
  const tokens = sharedOAuth2Tokens({
    oauth2: config.oauth2,
    encryptionKeys: config.encryptionKeys,
    redis,
    prefix: config.queuePrefix,
    tlsCaFile: config.tlsCaFile,
    logger,
  });
  return createSmtpTransport(config, logger, { tokens });
}
