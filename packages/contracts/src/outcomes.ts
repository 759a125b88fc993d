import { z } from 'zod';

/**
 * Why an inbound email was not acted on. Stable strings: they are stored in the inbound log,
 * shown over HTTP and matched by operators' alerts. Add codes; never rename one.
 */
export const REJECTION_REASONS = Object.freeze({
  bad_signature: 'the token does not verify with any configured signing key',
  expired: 'the request is past its expiry time',
  cancelled: 'the request was cancelled (done elsewhere or reassigned)',
  already_decided: 'another answer already decided this request',
  unknown_request: 'the token is valid but its request no longer exists',
  sender_mismatch: 'the From address is not the assignee the token was sent to',
  not_whitelisted: "the From address's domain is outside RC_WHITELIST_DOMAINS",
  auto_reply: 'an automatic reply (out of office, Auto-Submitted, Precedence: bulk)',
  bounce: 'a delivery status notification or bounce',
  loop: 'our own outgoing mail came back to the mailbox',
  no_token: 'no answer token, signed Message-ID reference or known request found',
  no_action: 'no unambiguous complete/fail word in a plain reply',
  too_large: 'larger than RC_MAX_MESSAGE_BYTES',
  malformed: 'the message could not be parsed as MIME',
  dmarc_fail:
    'sender authentication failed: no dmarc=pass for the From domain from RC_TRUSTED_AUTHSERV_ID (RC_REQUIRE_DMARC), or no DKIM signature aligned with From verifies (RC_VERIFY_DKIM)',
  ambiguous: 'the message carries tokens of more than one request',
  rate_limited: 'the sender exceeded RC_SENDER_RATE_LIMIT (emails processed per sender per window)',
  processing_failed:
    'verification failed on every retry (see the dead-letter queue); the raw message is kept there',
  read_receipt: 'a read receipt (RFC 8098 disposition notification), never an answer',
  calendar_reply: 'a calendar response (text/calendar METHOD:REPLY, "Accepted:"), never an answer',
  auto_forward:
    'forwarded by a mailbox rule (Exchange inbox rule, Sieve redirect), not written as an answer',
  self_approval: "the request's requester answered, and the request does not allowSelfApproval",
  revoked: 'the sender was removed from the assignees by a reassignment; their token is dead',
  already_voted: 'the sender already voted on this request; their first answer counts',
  reason_required: 'a Fail without a comment, and the request has requireReasonOnFail',
} as const);

export type RejectionReason = keyof typeof REJECTION_REASONS;
export const rejectionReasonSchema = z.enum(
  Object.keys(REJECTION_REASONS) as [RejectionReason, ...RejectionReason[]],
);
export type InboundOutcome = 'accepted' | 'rejected';

/** One line of the inbound log, as `GET /v1/inbound` returns it (SPEC 3.5). */
export interface InboundRecord {
  inboundId: string;
  outcome: InboundOutcome;
  reason: RejectionReason | null;
  /** a human-readable detail, e.g. who decided first for `already_decided` */
  detail?: string;
  from: string | null;
  subject: string | null;
  messageId: string | null;
  requestId: string | null;
  taskId: string | null;
  action?: 'complete' | 'fail' | null;
  receivedAt: string;
  decidedAt: string;
}
