/** A message waiting in the mailbox: its id there and its size in bytes. */
export interface PendingMessage {
  id: string;
  size: number;
}

export interface FetchedMessage extends PendingMessage {
  /** the whole message, or only its header section when `truncated` */
  source: Buffer;
  truncated: boolean;
  /** when the mailbox received it, if the source knows */
  arrivedAt?: Date;
}

/**
 * The one seam between the poller and a mailbox. IMAP is one implementation; Microsoft Graph
 * is another file beside it, not a branch in this one.
 */
export interface MailboxSource {
  readonly kind: 'imap' | 'graph';
  /** a name for logs and the inbound job, e.g. `rc@corp.example/INBOX` */
  readonly name: string;
  /** connects; `onNewMail` is called whenever the server says mail arrived (IDLE, notifications) */
  connect(onNewMail: () => void, onClose: (error?: Error) => void): Promise<void>;
  /** the oldest messages waiting, at most `limit` */
  list(limit: number): Promise<PendingMessage[]>;
  /** full sources; messages over `maxBytes` come with their header section only */
  fetch(messages: PendingMessage[], maxBytes: number): Promise<FetchedMessage[]>;
  /** removes processed messages (delete, or move to a folder) */
  remove(ids: string[]): Promise<void>;
  /** asks the server to tell us about new mail (IMAP IDLE); returns at once */
  watch(): void;
  /** readiness: is the connection up? */
  check(): Promise<void>;
  close(): Promise<void>;
}
