import type { RejectionReason, SendNoticeJob } from '@rc/contracts';
import { JOB_IDS } from '@rc/contracts';
import { normalizeAddress } from '@rc/mail';
import type { TypedQueue } from '@rc/runtime';
import { storeKeys, type StoreKeys, type StoredRequest } from '@rc/store';
import type { Redis } from 'ioredis';
import type { Rejection } from './verdict';

/**
 * Whether a rejection may be explained to its sender at all. Every reason is listed, so a new
 * one does not compile until someone decides. Silent:
 *  - auto_reply, bounce, loop: answering robots and bounces breeds mail loops (RFC 3834 §2);
 *  - malformed, too_large, rate_limited: the sender is flooding or broken; an answer amplifies it;
 *  - not_whitelisted, dmarc_fail: the sender is outside what we trust; telling them why helps an
 *    attacker probe the rules and turns the mailbox into a backscatter source;
 *  - processing_failed: our fault, found by an operator in the dead-letter queue, not a mistake
 *    of the sender's (and recorded outside any verification).
 */
export const NOTICE_POLICY: Readonly<Record<RejectionReason, 'notify' | 'silent'>> = {
  bad_signature: 'notify',
  expired: 'notify',
  cancelled: 'notify',
  already_decided: 'notify',
  unknown_request: 'notify',
  sender_mismatch: 'notify',
  no_token: 'notify',
  no_action: 'notify',
  ambiguous: 'notify',
  auto_reply: 'silent',
  bounce: 'silent',
  loop: 'silent',
  malformed: 'silent',
  too_large: 'silent',
  rate_limited: 'silent',
  not_whitelisted: 'silent',
  dmarc_fail: 'silent',
  processing_failed: 'silent',
  // Software answering for a person: telling it why only breeds more automatic mail.
  read_receipt: 'silent',
  calendar_reply: 'silent',
  auto_forward: 'silent',
  // Approvals (docs/approvals.md): each is the assignee's own situation, worth telling them.
  self_approval: 'notify',
  revoked: 'notify',
  already_voted: 'notify',
  reason_required: 'notify',
};

/** The reasons that never get a notice, whoever sent the mail. */
export const SILENT_REASONS: ReadonlySet<RejectionReason> = new Set(
  (Object.keys(NOTICE_POLICY) as RejectionReason[]).filter(
    (reason) => NOTICE_POLICY[reason] === 'silent',
  ),
);

/** At most one notice per sender and reason in this window. */
export const NOTICE_DEDUPE_SECONDS = 86_400;

/** A rejection, who sent the answer and its Message-ID: all a notice is made of. */
export interface RejectedAnswer {
  rejection: Rejection;
  /** the From address, as the parser normalised it */
  from: string;
  /** the Message-ID of the rejected answer, for In-Reply-To */
  messageId: string | null;
}

/**
 * Who may be told. Without sender authentication the From address is only a claim, so a
 * notice goes only to an assignee of the request the answer named: they were emailed by us
 * about it anyway, and if the answer was forged in their name the notice lands in the real
 * person's mailbox, never the forger's. With DMARC/DKIM enforced and passed, the sender is
 * who they say they are, and any rejection that is their own mistake is explained to them.
 */
export function mayNotify({ rejection, from }: RejectedAnswer): boolean {
  if (NOTICE_POLICY[rejection.reason] === 'silent') return false;
  if (rejection.authenticated) return true;
  // step 13 matched From to the token's recipient, an assignee until the reassignment
  if (rejection.reason === 'revoked') return true;
  return (
    rejection.request?.assignees.some((assignee) => normalizeAddress(assignee.email) === from) ??
    false
  );
}

function noticeRequest({ requestId, taskId, title, expiresAt, locale }: StoredRequest) {
  return { requestId, taskId, title, expiresAt, ...(locale ? { locale } : {}) };
}

/**
 * The notice as facts (what happened, to which request, who decided first); the sender words
 * it in the request's locale. Nothing of other people's requests beyond the one named.
 */
export function rejectionNoticeJob({ rejection, from, messageId }: RejectedAnswer): SendNoticeJob {
  const { request, decision, cancelledAt } = rejection;
  return {
    kind: 'notice',
    to: from,
    ...(messageId ? { inReplyTo: messageId } : {}),
    notice: {
      type: 'rejection',
      reason: rejection.reason,
      ...(request ? { request: noticeRequest(request) } : {}),
      ...(decision
        ? {
            decision: {
              action: decision.action,
              actor: decision.actor,
              decidedAt: decision.decidedAt,
            },
          }
        : {}),
      ...(cancelledAt ? { cancelledAt } : {}),
      ...(messageId ? { answerMessageId: messageId } : {}),
    },
  };
}

/**
 * Queues rejection notices (RC_REJECTION_NOTICES), at most one per sender and reason per day.
 * The dedupe key holds the inboundId that claimed it, so a verifier retry of the same message
 * still queues its notice, and the jobId keeps that to one job.
 */
export class RejectionNotices {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly sendQueue: TypedQueue<'send'>,
  ) {
    this.keys = storeKeys(prefix);
  }

  /** Returns whether a notice was queued. */
  async send(answer: RejectedAnswer, inboundId: string): Promise<boolean> {
    if (!mayNotify(answer)) return false;
    const key = this.keys.rejectionNoticeSent(answer.from, answer.rejection.reason);
    const claimed = await this.redis.set(key, inboundId, 'EX', NOTICE_DEDUPE_SECONDS, 'NX');
    if (claimed !== 'OK' && (await this.redis.get(key)) !== inboundId) return false;
    await this.sendQueue.add('notice', rejectionNoticeJob(answer), {
      jobId: JOB_IDS.rejectionNotice(inboundId),
    });
    return true;
  }
}
