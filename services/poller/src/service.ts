import { metrics, type Logger, type RunningService, type ServiceContext } from '@rc/runtime';
import { createImapSource } from './adapters/imap';
import type { MailboxSource } from './adapters/mailbox-source';
import { syncBatch } from './process';

export interface PollerOptions {
  /** replaces the source chosen by RC_MAILBOX_SOURCE (tests) */
  source?: MailboxSource;
}

type Trigger = 'startup' | 'idle' | 'interval' | 'backlog';

/**
 * The poller: the only component that touches the inbound mailbox. New mail is announced by
 * IMAP IDLE and picked up at once; the RC_SYNC_INTERVAL sweep catches anything a lost IDLE
 * notification would miss. One sync runs at a time; triggers during a sync coalesce into one
 * follow-up sync.
 */
export async function startPoller(
  context: ServiceContext,
  options: PollerOptions = {},
): Promise<RunningService> {
  const { config, queues } = context;
  const logger: Logger = context.logger.child({ component: 'poller' });
  if (config.mailboxSource === 'graph' && !options.source) {
    throw new Error('RC_MAILBOX_SOURCE=graph is not available yet in this build; use imap');
  }
  const source = options.source ?? createImapSource(config, logger);
  const { fetchEnabled, startupDelayMs, syncIntervalMs, batchSize } = config.poller;

  let stopped = false;
  let connected = false;
  let started = false; // becomes true when RC_STARTUP_DELAY has passed
  let syncing: Promise<void> | undefined;
  let again: Trigger | undefined;
  let reconnectDelayMs = 1000;
  let reconnectTimer: NodeJS.Timeout | undefined;

  async function runSync(trigger: Trigger): Promise<void> {
    try {
      const handled = await syncBatch(source, queues.inbound, {
        batchSize,
        maxMessageBytes: config.maxMessageBytes,
      });
      metrics.mailboxSyncs.inc({ trigger, result: 'ok' });
      if (handled > 0) logger.info({ trigger, handled }, 'mailbox batch queued');
      // A full batch means more may be waiting: the next batch follows at once.
      if (handled >= batchSize) again ??= 'backlog';
    } catch (error) {
      metrics.mailboxSyncs.inc({ trigger, result: 'error' });
      logger.warn(
        { trigger, err: error instanceof Error ? error.message : String(error) },
        'mailbox sync failed',
      );
    }
  }

  function requestSync(trigger: Trigger): void {
    if (stopped || !started || !connected) return;
    if (syncing) {
      again ??= trigger;
      return;
    }
    syncing = (async () => {
      let next: Trigger | undefined = trigger;
      while (next && !stopped && connected) {
        again = undefined;
        await runSync(next);
        next = again;
      }
      syncing = undefined;
      if (!stopped && connected) source.watch();
    })();
  }

  async function connect(): Promise<void> {
    if (stopped) return;
    try {
      await source.connect(
        () => requestSync('idle'),
        (error) => {
          if (!connected || stopped) return;
          connected = false;
          logger.warn({ err: error?.message }, 'mailbox connection closed, reconnecting');
          scheduleReconnect();
        },
      );
      connected = true;
      reconnectDelayMs = 1000;
      logger.info({ mailbox: source.name }, 'mailbox connected');
      if (started) requestSync('startup');
      else source.watch();
    } catch (error) {
      logger.warn(
        {
          err: error instanceof Error ? error.message : String(error),
          retryInMs: reconnectDelayMs,
        },
        'mailbox connection failed',
      );
      await source.close().catch(() => undefined);
      scheduleReconnect();
    }
  }

  function scheduleReconnect(): void {
    if (stopped || reconnectTimer) return;
    const delay = reconnectDelayMs;
    reconnectDelayMs = Math.min(reconnectDelayMs * 2, 60_000);
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, delay);
  }

  let startupTimer: NodeJS.Timeout | undefined;
  let intervalTimer: NodeJS.Timeout | undefined;
  if (fetchEnabled) {
    await connect();
    startupTimer = setTimeout(() => {
      started = true;
      requestSync('startup');
      intervalTimer = setInterval(() => requestSync('interval'), syncIntervalMs);
    }, startupDelayMs);
  } else {
    logger.warn('RC_FETCH_ENABLED=false: the mailbox is not read');
  }

  return {
    name: 'poller',
    readiness: fetchEnabled ? [{ name: 'mailbox', check: () => source.check() }] : [],
    async close() {
      stopped = true;
      clearTimeout(startupTimer);
      clearInterval(intervalTimer);
      clearTimeout(reconnectTimer);
      await syncing;
      await source.close();
    },
  };
}
