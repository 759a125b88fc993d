import { sharedOAuth2Tokens } from '@rc/microsoft';
import type { Logger, RunningService, ServiceContext } from '@rc/runtime';
import { createGraphSource, type GraphSourceOptions } from './adapters/graph';
import { createImapSource, type ImapOAuth2Tokens } from './adapters/imap';
import type { MailboxSource } from './adapters/mailbox-source';
import { syncBatch } from './process';
import { SyncLoop, type SyncLoopTiming } from './sync-loop';

export interface PollerOptions {
  /** replaces the source chosen by RC_MAILBOX_SOURCE (tests) */
  source?: MailboxSource;
  /** backoff and retry-after caps of the sync loop (tests) */
  timing?: Partial<SyncLoopTiming>;
  /** the Graph source's poll interval, page size and subscription timing (tests) */
  graph?: GraphSourceOptions;
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
  const loop = new SyncLoop({
    source,
    syncBatch: () =>
      syncBatch(source, queues.inbound, {
        batchSize: config.poller.batchSize,
        maxMessageBytes: config.maxMessageBytes,
      }),
    poller: config.poller,
    logger,
    timing: options.timing,
  });
  await loop.start();
  return {
    name: 'poller',
    readiness: [{ name: 'mailbox', check: () => source.check() }],
    routers: source.routers,
    close: () => loop.stop(),
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
      return createImapSource(config, logger, imapTokens(context, logger));
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
