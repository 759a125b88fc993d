import type { RejectionReason, SendNoticeJob } from '@rc/contracts';
import { normalizeAddress } from '@rc/mail';
import type { TypedQueue } from '@rc/runtime';
import type { Decision, StoredRequest } from '@rc/store';
import type { Redis } from 'ioredis';

/**
 * Reasons that never get a notice, whoever sent the mail:
 *  - auto_reply, bounce, loop: answering robots and bounces breeds mail loops (RFC 3834 §2);
 *  - malformed, too_large, rate_limited: the sender is flooding or broken; an answer amplifies it;
 *  - not_whitelisted, dmarc_fail: the sender is outside what we trust; telling them why helps an
 *    attacker probe the rules and turns the mailbox into a backscatter source.
 */
export const SILENT_REASONS: ReadonlySet<RejectionReason> = new Set<RejectionReason>([
  'auto_reply',
  'bounce',
  'loop',
  'malformed',
  'too_large',
  'rate_limited',
  'not_whitelisted',
  'dmarc_fail',
]);

/** At most one notice per sender and reason in this window. */
export const NOTICE_DEDUPE_SECONDS = 86_400;

export interface RejectionFacts {
  reason: RejectionReason;
  /** the normalised From address */
  from: string;
  /** whether From was authenticated (RC_REQUIRE_DMARC or RC_VERIFY_DKIM on, and passed) */
  authenticated: boolean;
  request?: StoredRequest;
  /** the decision that came first, for already_decided */
  decision?: Decision;
  cancelledAt?: string;
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
export function mayNotify(facts: RejectionFacts): boolean {
  if (SILENT_REASONS.has(facts.reason)) return false;
  if (facts.authenticated) return true;
  return (
    facts.request?.assignees.some((assignee) => normalizeAddress(assignee.email) === facts.from) ??
    false
  );
}

const ACTION_DONE = { complete: 'completed', fail: 'failed' } as const;

function explanation(facts: RejectionFacts): string {
  const { request, decision } = facts;
  switch (facts.reason) {
    case 'expired':
      return `The request expired at ${request?.expiresAt ?? 'its expiry time'}, before your answer arrived. If the task still needs a decision, ask its owner for a new request.`;
    case 'already_decided':
      return decision
        ? `The task had already been ${ACTION_DONE[decision.action]} by ${decision.actor} at ${decision.decidedAt}. The first answer counts; later answers are not applied.`
        : 'The task had already been decided by an earlier answer. The first answer counts; later answers are not applied.';
    case 'cancelled':
      return `The request was withdrawn${facts.cancelledAt ? ` at ${facts.cancelledAt}` : ''}: the task was done elsewhere or reassigned. If it was reassigned to you, answer the newest request email.`;
    case 'sender_mismatch':
      return 'The answer link you used was sent to another person. Only the person a request email was sent to can answer with its links; please use the buttons in your own request email.';
    case 'bad_signature':
      return 'The answer code in your email was changed or is no longer valid. Please use the Complete task or Fail task button in the request email again, without editing the code.';
    case 'unknown_request':
      return 'The request your email answers no longer exists.';
    case 'no_token':
      return 'Your email did not say which request it answers. Please use the Complete task or Fail task button in the request email, or reply to the request email itself.';
    case 'no_action':
      return 'We could not tell whether you want to complete or to fail the task. Please use the Complete task or Fail task button, or begin your reply with "approve" or "reject".';
    case 'ambiguous':
      return 'Your email answers more than one request at once. Please answer each request separately.';
    default:
      return 'Your email could not be applied.';
  }
}

/** The notice for one rejected answer (English; the reason code is stable for support). */
export function renderRejectionNotice(facts: RejectionFacts): SendNoticeJob {
  const { request } = facts;
  const about = request
    ? `your answer to "${request.title}" (task ${request.taskId})`
    : 'your email';
  const text = [
    'Hello,',
    '',
    `${about.charAt(0).toUpperCase()}${about.slice(1)} was not applied.`,
    '',
    explanation(facts),
    '',
    'Nothing was changed in the release engine.',
    '',
    `Reason code: ${facts.reason}`,
    ...(facts.messageId ? [`Your email: ${facts.messageId}`] : []),
    '',
    'This message was sent automatically by the remote completion service.',
    '',
  ].join('\n');
  return {
    kind: 'notice',
    notice: 'rejection',
    to: facts.from,
    reason: facts.reason,
    ...(request ? { requestId: request.requestId } : {}),
    subject: request ? `Not applied: ${request.title}` : 'Your email was not processed',
    text,
    ...(facts.messageId ? { inReplyTo: facts.messageId } : {}),
  };
}

/**
 * Queues rejection notices (RC_REJECTION_NOTICES), at most one per sender and reason per day.
 * The dedupe key holds the inboundId that claimed it, so a verifier retry of the same message
 * still queues its notice, and the jobId keeps that to one job.
 */
export class RejectionNotices {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly sendQueue: TypedQueue<'send'>,
  ) {}

  /** Returns whether a notice was queued. */
  async send(facts: RejectionFacts, inboundId: string): Promise<boolean> {
    if (!mayNotify(facts)) return false;
    const key = `${this.prefix}:notice:rejection:${facts.from}:${facts.reason}`;
    const claimed = await this.redis.set(key, inboundId, 'EX', NOTICE_DEDUPE_SECONDS, 'NX');
    if (claimed !== 'OK' && (await this.redis.get(key)) !== inboundId) return false;
    await this.sendQueue.add('notice', renderRejectionNotice(facts), {
      jobId: `notice-rejection-${inboundId}`,
    });
    return true;
  }
}
