import { CodedError, errorCodeOf } from '@rc/contracts';
import type { RunningService } from '@rc/runtime';

/** A message waiting in the mailbox: its id there and its size in bytes. */
export interface PendingMessage {
  id: string;
  size: number;
  /** old mail listed while more waits than one batch: queued behind fresher mail (issue 9) */
  backlog?: boolean;
}

export interface FetchedMessage extends PendingMessage {
  /** the whole message, or only its header section when `truncated` */
  source: Buffer;
  truncated: boolean;
  /** when the mailbox received it (IMAP INTERNALDATE, Graph receivedDateTime), if the source knows */
  arrivedAt?: Date;
  /**
   * The provider's own identity of the message, stable for as long as it sits in the mailbox
   * (Graph immutable id). When present, the poller dedupes by it instead of by the bytes. IMAP
   * leaves it out: a UID is only unique per folder and UIDVALIDITY.
   */
  sourceId?: string;
}

/**
 * The one seam between the poller and a mailbox. IMAP is one implementation; Microsoft Graph
 * is another file beside it, not a branch in this one.
 *
 * A source is push-driven (IMAP IDLE, Graph change notifications: it calls `onNewMail`),
 * poll-driven (it sets `pollIntervalMs` and the poller syncs that often), or both. Either way
 * the poller's sync loop decides when `list`/`fetch`/`remove` run, one sync at a time.
 */
export interface MailboxSource {
  readonly kind: 'imap' | 'graph';
  /** a name for logs and the inbound job, e.g. `rc@corp.example/INBOX` */
  readonly name: string;
  /**
   * A source without push (or whose push may be late) sets this: the poller then syncs every
   * `pollIntervalMs` when that is shorter than RC_SYNC_INTERVAL. Keep each sync cheap.
   */
  readonly pollIntervalMs?: number;
  /** HTTP routes the source serves on the poller's port (e.g. Graph change notifications) */
  readonly routers?: RunningService['routers'];
  /**
   * Connects; `onNewMail` is called whenever the provider says mail arrived (IDLE EXISTS, a
   * change notification); `onClose` when an established connection is lost. Throws when the
   * connection cannot be made (a `MailboxRetryAfterError` when the provider says when to retry).
   */
  connect(onNewMail: () => void, onClose: (error?: Error) => void): Promise<void>;
  /** the oldest messages waiting, at most `limit` */
  list(limit: number): Promise<PendingMessage[]>;
  /** full sources; messages over `maxBytes` come with their header section only */
  fetch(messages: PendingMessage[], maxBytes: number): Promise<FetchedMessage[]>;
  /** removes processed messages (delete, or move to a folder) */
  remove(ids: string[]): Promise<void>;
  /**
   * Called after every sync: the source may now ask to be told about new mail (IMAP enters
   * IDLE, which the next command ends). Returns at once; a source without push does nothing.
   */
  watch(): void;
  /** readiness: is the connection up? */
  check(): Promise<void>;
  /** how many messages the folder holds now, when the source knows without a request */
  waitingCount?(): number | undefined;
  close(): Promise<void>;
}

/**
 * What a source throws when the provider says "not before N ms" (HTTP 429/503 Retry-After,
 * an IMAP server's [UNAVAILABLE] with a hint): the sync loop waits that long, capped, instead
 * of retrying sooner and being throttled harder.
 */
export class MailboxRetryAfterError extends CodedError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
    options?: { cause?: unknown },
  ) {
    super(message, 'PROVIDER_THROTTLED', options);
    this.name = 'MailboxRetryAfterError';
  }
}

/**
 * The wait a provider asked for, from any error coded PROVIDER_THROTTLED that carries a
 * positive `retryAfterMs` (ours above, or one thrown by a shared client such as @rc/microsoft's
 * Graph layer, which cannot import the poller); undefined otherwise.
 */
export function retryAfterMsOf(error: unknown): number | undefined {
  if (errorCodeOf(error) !== 'PROVIDER_THROTTLED') return undefined;
  const retryAfterMs = (error as { retryAfterMs?: unknown }).retryAfterMs;
  return typeof retryAfterMs === 'number' && Number.isFinite(retryAfterMs) && retryAfterMs > 0
    ? retryAfterMs
    : undefined;
}
