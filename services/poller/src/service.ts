import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { sharedOAuth2Tokens } from '@rc/microsoft';
import type { Logger, RunningService, ServiceContext } from '@rc/runtime';
import { RawMessageStore, storeKeys } from '@rc/store';
import { createGraphSource, type GraphSourceOptions } from './adapters/graph';
import { createImapSource, type ImapOAuth2Tokens, type ImapSourceOptions } from './adapters/imap';
import type { MailboxSource } from './adapters/mailbox-source';
import { DEFAULT_LEASE_TIMING, Leadership, type LeaseTiming } from './lease/leadership';
import { mailboxIdentity } from './lease/mailbox-identity';
import { MailboxLease } from './lease/mailbox-lease';
import { syncBatch } from './process';
import { SyncLoop, type SyncLoopTiming } from './sync-loop';

export interface PollerOptions {
  /** replaces the source chosen by RC_MAILBOX_SOURCE (tests) */
  source?: MailboxSource;
  /** backoff and retry-after caps of the sync loop (tests) */
  timing?: Partial<SyncLoopTiming>;
  /** the Graph source's poll interval, page size and subscription timing (tests) */
  graph?: GraphSourceOptions;
  /** the IMAP source's liveness probe and connect timeouts (tests) */
  imap?: ImapSourceOptions;
  /** the lease's TTL, renewal and standby look (tests) */
  lease?: Partial<LeaseTiming>;
}

/**
 * The poller: the only component that touches the inbound mailbox. Its source announces new
 * mail (IMAP IDLE) and the sync loop picks it up at once; the RC_SYNC_INTERVAL sweep catches
 * anything a lost notification would miss.
 */
export async function startPoller(
  context: ServiceContext,
  options: PollerOptions = {},
): Promise<RunningService> {
  const { config, queues } = context;
  const logger: Logger = context.logger.child({ component: 'poller' });
  if (!config.poller.fetchEnabled) {
    logger.warn('RC_FETCH_ENABLED=false: the mailbox is not read');
    return { name: 'poller', readiness: [], close: async () => undefined };
  }

  const source = options.source ?? createMailboxSource(context, logger, options);
  const timing = { ...DEFAULT_LEASE_TIMING, ...options.lease };
  const mailbox = mailboxIdentity(config, source);
  const keys = storeKeys(config.queuePrefix);
  const rawMessages = new RawMessageStore(context.redis, config.queuePrefix);
  const lease = new MailboxLease(
    context.redis,
    { lease: keys.pollerLease(mailbox), fence: keys.pollerFence(mailbox) },
    `${hostname()}:${process.pid}:${randomBytes(4).toString('hex')}`,
    timing.ttlMs,
  );
  // RC_STARTUP_DELAY counts from the process start: a standby taking over later syncs at once.
  const delayEndsAt = Date.now() + config.poller.startupDelayMs;
  const leadership: Leadership = new Leadership({
    lease,
    mailbox: source.name,
    timing,
    logger,
    async lead() {
      const loop = new SyncLoop({
        source,
        syncBatch: () =>
          syncBatch(source, queues.inbound, {
            batchSize: config.poller.batchSize,
            maxMessageBytes: config.maxMessageBytes,
            beforeRemove: () => leadership.fence(),
            rawMessages,
          }),
        poller: { ...config.poller, startupDelayMs: Math.max(0, delayEndsAt - Date.now()) },
        logger,
        timing: options.timing,
      });
      await loop.start();
      return () => loop.stop();
    },
  });
  await leadership.start();
  return {
    name: 'poller',
    readiness: [
      {
        name: 'mailbox',
        // A standby is ready by design: it holds no mailbox connection until it takes over.
        check: async () => {
          if (leadership.role === 'leader') await source.check();
          return { role: leadership.role };
        },
      },
    ],
    routers: source.routers,
    close: () => leadership.stop(),
  };
}

function createMailboxSource(
  context: ServiceContext,
  logger: Logger,
  options: PollerOptions,
): MailboxSource {
  const { config } = context;
  switch (config.mailboxSource) {
    case 'imap':
      return createImapSource(config, logger, imapTokens(context, logger), options.imap);
    case 'graph':
      return createGraphSource(config, logger, options.graph);
  }
}

/**
 * XOAUTH2 access tokens from the process's one manager per OAuth2 client: in `pnpm start` the
 * sender's SMTP connections use the same one, so a rotated refresh token is spent once.
 */
function imapTokens(context: ServiceContext, logger: Logger): ImapOAuth2Tokens | undefined {
  const { config, redis } = context;
  if (config.imap.auth !== 'oauth2' || !config.oauth2) return undefined;
  return sharedOAuth2Tokens({
    oauth2: config.oauth2,
    redis,
    prefix: config.queuePrefix,
    encryptionKeys: config.encryptionKeys,
    tlsCaFile: config.tlsCaFile,
    logger,
  });
}
