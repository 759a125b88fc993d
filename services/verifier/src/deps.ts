import type { ActionVocabulary } from '@rc/mail';
import type { Config, Logger, TypedQueue } from '@rc/runtime';
import type { InboundLog, RawMessageStore, RequestStore } from '@rc/store';
import type { SigningKeyring } from '@rc/tokens';
import type { DnsResolver } from './dns-cache';
import type { RejectionNotices } from './notices';
import type { SenderRateLimiter } from './rate-limit';

/** The part of the configuration the verifier reads: the whole Config fits. */
export type VerifierSettings = Pick<
  Config,
  | 'mailboxAddress'
  | 'mailFrom'
  | 'maxMessageBytes'
  | 'whitelist'
  | 'requireDmarc'
  | 'trustedAuthservId'
  | 'verifyDkim'
>;

export interface VerifierDeps {
  keyring: SigningKeyring;
  store: RequestStore;
  inboundLog: InboundLog;
  updateQueue: TypedQueue<'update'>;
  logger: Logger;
  settings: VerifierSettings;
  /** RC_COMPLETE_WORDS / RC_FAIL_WORDS added to the built-in reply vocabulary */
  vocabulary?: ActionVocabulary;
  now?: () => Date;
  /** RC_SENDER_RATE_LIMIT; absent = no per-sender limit */
  senderRateLimiter?: SenderRateLimiter;
  /** DNS for DKIM keys; defaults to the system resolver behind a cache */
  dnsResolver?: DnsResolver;
  /** RC_REJECTION_NOTICES; absent = no notices */
  rejectionNotices?: RejectionNotices;
  /**
   * Where large messages' bytes are read (jobs with `rawRef`); absent = beside the queues, on
   * the update queue's connection and prefix (the poller stores them beside the inbound queue)
   */
  rawMessages?: RawMessageStore;
}
