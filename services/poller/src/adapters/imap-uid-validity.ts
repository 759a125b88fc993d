import { CodedError } from '@rc/contracts';
import type { Logger } from '@rc/runtime';

/**
 * UIDVALIDITY of the polled folder: UIDs name the same messages only while it is unchanged
 * (RFC 3501 2.3.1.1). A folder deleted and recreated, or restored from a backup, gets a new
 * one, and its UIDs start again from 1.
 */
export class UidValidity {
  private current: bigint | undefined;
  private listedUnder: bigint | undefined;

  constructor(
    private readonly folder: string,
    private readonly logger: Logger,
  ) {}

  /** After each SELECT. A change needs no cursor reset: every sync lists the whole folder,
   * and a message queued under its old UID is the same inbound job (the id is its bytes' hash). */
  opened(value: bigint | undefined): void {
    if (this.current !== undefined && value !== undefined && value !== this.current)
      this.logger.warn(
        { folder: this.folder, previous: String(this.current), current: String(value) },
        'IMAP UIDVALIDITY changed: the folder was recreated or restored, syncing it from scratch',
      );
    this.current = value;
  }

  /** When a batch is listed: its UIDs hold under the current UIDVALIDITY. */
  listed(): void {
    this.listedUnder = this.current;
  }

  /**
   * Before the batch's UIDs are used again: a reconnect between the list and a removal that
   * found a new UIDVALIDITY must not expunge by the old UIDs, which may name other messages.
   */
  assertUnchanged(): void {
    if (this.listedUnder !== this.current)
      throw new CodedError(
        `UIDVALIDITY of ${this.folder} changed since the batch was listed: nothing is removed, the next sync lists again`,
        'MAILBOX_UNAVAILABLE',
      );
  }
}
