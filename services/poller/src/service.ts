import { CodedError } from '@rc/contracts';
import type { Config, Logger, RunningService, ServiceContext } from '@rc/runtime';
import { createImapSource } from './adapters/imap';
import type { MailboxSource } from './adapters/mailbox-source';
import { syncBatch } from './process';
import { SyncLoop, type SyncLoopTiming } from './sync-loop';

export interface PollerOptions {
  /** replaces the source chosen by RC_MAILBOX_SOURCE (tests) */
  source?: MailboxSource;
  /** backoff and retry-after caps of the sync loop (tests) */
  timing?: Partial<SyncLoopTiming>;
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

  const source = options.source ?? createMailboxSource(config, logger);
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

function createMailboxSource(config: Config, logger: Logger): MailboxSource {
  switch (config.mailboxSource) {
    case 'imap':
      return createImapSource(config, logger);
    case 'graph':
      throw new CodedError(
        'RC_MAILBOX_SOURCE=graph is not available yet in this build; use imap',
        'CONFIG_INVALID',
      );
  }
}
