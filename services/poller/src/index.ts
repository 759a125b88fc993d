export { startPoller, type PollerOptions } from './service';
export type { MailboxSource, PendingMessage, FetchedMessage } from './adapters/mailbox-source';
