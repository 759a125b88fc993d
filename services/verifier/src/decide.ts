import {
  classifyAutomatic,
  isAddressWhitelisted,
  normalizeAddress,
  understandAnswer,
  type ParsedMessage,
} from '@rc/mail';
import { authenticate } from './authenticate';
import type { VerifierDeps } from './deps';
import { findNamedRequest } from './named-request';
import { reject, standingRejection, type RejectionFacts, type Verdict } from './verdict';

export interface DecideContext {
  inboundId: string;
  now: Date;
  /** when the message reached the mailbox (ms): an answer in a backlog is judged by it */
  arrivedAt: number;
  /** the latest it can have arrived (ms; stamps name whole seconds): expiry is judged by it */
  arrivedBy?: number;
  raw: Buffer;
  finalAttempt: boolean;
}

/**
 * Steps 3 to 15 of docs/security.md, in order; the first that fails is the outcome. Steps 1–2
 * (size, parse) come before, step 16 (the claim) after. Nothing here writes, except the rate
 * limit's count, which is keyed by the message and so safe to repeat.
 */
export async function decide(
  message: ParsedMessage,
  deps: VerifierDeps,
  context: DecideContext,
): Promise<Verdict> {
  const { settings } = deps;
  // 3–5: our own mail, bounces, automatic replies
  const automatic = classifyAutomatic(message, {
    ownAddresses: [settings.mailboxAddress, settings.mailFrom],
  });
  if (automatic) return reject(automatic);
  // 6: identity is the From mailbox alone (normalised by the parser); never Sender or Reply-To
  if (!message.from)
    return reject('malformed', `From names ${message.fromHeaderCount} mailboxes, not exactly one`);
  const from = message.from.address;
  // 7
  if (settings.whitelist.enabled && !isAddressWhitelisted(from, settings.whitelist.domains))
    return reject('not_whitelisted', `sender domain of ${from} is not whitelisted`);

  // 8
  const understood = understandAnswer(
    message,
    deps.vocabulary ? { vocabulary: deps.vocabulary } : {},
  );
  const auth = await authenticate(message, from, understood, deps, context);
  if ('failed' in auth) return reject('dmarc_fail', auth.failed);
  const { authenticated } = auth;
  const refuse = (reason: Parameters<typeof reject>[0], detail?: string, facts?: RejectionFacts) =>
    reject(reason, detail, { ...facts, authenticated });

  // 9: counted after authentication, so forged mail in someone's name cannot use up their
  // budget when DMARC or DKIM is enforced; cheap rejections above are not counted at all.
  const limiter = deps.senderRateLimiter;
  if (limiter && !(await limiter.take(from, context.inboundId, context.now))) {
    const { max, durationMs } = limiter.settings;
    return refuse('rate_limited', `more than ${max} emails from ${from} in ${durationMs / 1000} s`);
  }

  // 10–12
  const named = await findNamedRequest(understood.tokens, deps.keyring, deps.store);
  if ('reason' in named) return refuse(named.reason, named.detail);
  // The one read of the request: what was asked, and where it stands now.
  const state = await deps.store.getState(named.requestId);
  if (!state) return refuse('unknown_request');
  const { request } = state;

  // 13: the token is bound to one recipient; only that person's From can use it
  if (!named.recipients.has(from))
    return refuse('sender_mismatch', `sent by ${from}, not by the assignee`, { request });
  // 13a: still an assignee: a reassignment that removed them revokes their token at once
  const assignee = request.assignees.find((named) => normalizeAddress(named.email) === from);
  if (!assignee) return refuse('revoked', `${from} is no longer an assignee`, { request });
  // 13b: no approving one's own change; compared normalised, as From is
  const { requester } = request;
  if (requester && !request.allowSelfApproval && normalizeAddress(requester.email) === from)
    return refuse('self_approval', `${from} is the requester`, { request });

  // 14: cancelled or decided first, so a late answer to a closed request says so, not "expired"
  const standing = { cancelled: state.status === 'cancelled', ...state };
  const closed = standingRejection(standing, context.inboundId, request, authenticated);
  if (closed) return closed;
  if ((context.arrivedBy ?? context.arrivedAt) > Date.parse(request.expiresAt))
    return refuse('expired', `expired at ${request.expiresAt}`, { request });

  // 15
  const { action, comment } = understood;
  if (!action) return refuse('no_action', 'no unambiguous complete or fail', { request });
  // 15a: the reason is the point of asking for one; the request stays open for a second try
  if (action === 'fail' && request.requireReasonOnFail && comment.trim() === '')
    return refuse('reason_required', 'a Fail without a comment', { request });
  return { outcome: 'accepted', request, assignee, action, comment, authenticated };
}
