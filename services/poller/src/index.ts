export { startPoller, type PollerOptions } from './service';
export {
  MailboxRetryAfterError,
  retryAfterMsOf,
  type MailboxSource,
  type PendingMessage,
  type FetchedMessage,
} from './adapters/mailbox-source';
export type { SyncLoopTiming, SyncTrigger } from './sync-loop';
export { notificationRouter } from './adapters/graph-notifications';
