import type {
  AnswerAction,
  InboundJob,
  InboundRecord,
  RejectionReason,
  UpdateJob,
} from '@rc/contracts';
import {
  classifyAutomatic,
  isAddressWhitelisted,
  normalizeAddress,
  parseInboundMessage,
  understandAnswer,
  type ActionVocabulary,
  type ParsedMessage,
  type UnderstoodAnswer,
} from '@rc/mail';
import { metrics, type Logger, type TypedQueue } from '@rc/runtime';
import type { Decision, InboundLog, RequestStore, StoredRequest } from '@rc/store';
import { findAnswerTokens, verifyAnswerToken, type SigningKeyring } from '@rc/tokens';
import { checkDkim } from './dkim';
import { checkTrustedDmarc } from './dmarc';
import { cachedResolver, systemResolver, type DnsResolver } from './dns-cache';
import type { RejectionNotices } from './notices';
import type { SenderRateLimiter } from './rate-limit';

export interface VerifierDeps {
  keyring: SigningKeyring;
  store: RequestStore;
  inboundLog: InboundLog;
  updateQueue: TypedQueue<'update'>;
  logger: Logger;
  settings: {
    mailboxAddress: string;
    mailFrom: string;
    maxMessageBytes: number;
    whitelist: { enabled: boolean; domains: string[] };
    requireDmarc: boolean;
    trustedAuthservId?: string;
    /** RC_VERIFY_DKIM: verify DKIM here and require a signature aligned with From */
    verifyDkim?: boolean;
    /** RC_COMPLETE_WORDS / RC_FAIL_WORDS added to the built-in reply vocabulary */
    vocabulary?: ActionVocabulary;
  };
  now?: () => Date;
  /** RC_SENDER_RATE_LIMIT; absent = no per-sender limit */
  senderRateLimiter?: SenderRateLimiter;
  /** DNS for DKIM keys; defaults to the system resolver behind a cache */
  dnsResolver?: DnsResolver;
  /** RC_REJECTION_NOTICES; absent = no notices */
  rejectionNotices?: RejectionNotices;
}

export interface VerifyOptions {
  /**
   * Whether this is the job's last attempt. A temporary failure (a DKIM key lookup that timed
   * out) is retried by throwing, except on the last attempt, where it becomes an outcome:
   * every email ends in one. Absent = last attempt.
   */
  finalAttempt?: boolean;
}

/** A temporary failure before any side effect: the job is retried. */
export class TemporaryVerifyError extends Error {
  readonly code = 'VERIFY_TEMPORARY';
}

type Verdict =
  | {
      outcome: 'accepted';
      request: StoredRequest;
      action: AnswerAction;
      comment: string;
      authenticated: boolean;
    }
  | {
      outcome: 'rejected';
      reason: RejectionReason;
      detail?: string;
      request?: StoredRequest;
      action?: AnswerAction;
      decision?: Decision;
      cancelledAt?: string;
      authenticated?: boolean;
    };

type Rejection = Extract<Verdict, { outcome: 'rejected' }>;

const reject = (
  reason: RejectionReason,
  detail?: string,
  request?: StoredRequest,
  extra: Partial<Rejection> = {},
): Rejection => ({
  outcome: 'rejected',
  reason,
  ...(detail ? { detail } : {}),
  ...(request ? { request } : {}),
  ...extra,
});

let defaultResolver: DnsResolver | undefined;
function resolverOf(deps: VerifierDeps): DnsResolver {
  return deps.dnsResolver ?? (defaultResolver ??= cachedResolver(systemResolver()));
}

interface DecideContext {
  inboundId: string;
  now: Date;
  /** when the mailbox handed the message over (ms): an answer in a backlog is judged by it */
  receivedAt: number;
  raw: Buffer;
  finalAttempt: boolean;
}

/**
 * Sender authentication, when configured: the receiving MTA's DMARC verdict (RC_REQUIRE_DMARC),
 * and our own DKIM check (RC_VERIFY_DKIM). Returns a rejection, or whether From is now proven.
 */
async function authenticate(
  message: ParsedMessage,
  from: string,
  understood: UnderstoodAnswer,
  deps: VerifierDeps,
  context: DecideContext,
): Promise<Rejection | { authenticated: boolean }> {
  const { settings } = deps;
  if (settings.requireDmarc) {
    const dmarc = checkTrustedDmarc(message, settings.trustedAuthservId ?? '', from);
    if (!dmarc.pass) return reject('dmarc_fail', dmarc.detail);
  }
  if (settings.verifyDkim) {
    const dkim = await checkDkim(context.raw, {
      from,
      signedHeaders: headersTheAnswerIsReadFrom(message, understood),
      headers: message.headers,
      resolver: resolverOf(deps),
      now: context.now,
    });
    if (dkim.result === 'temperror' && !context.finalAttempt)
      throw new TemporaryVerifyError(`DKIM key lookup failed: ${dkim.detail}`);
    if (dkim.result !== 'pass') return reject('dmarc_fail', `DKIM: ${dkim.detail}`);
  }
  return { authenticated: settings.requireDmarc || settings.verifyDkim === true };
}

/** Header fields that name the request or the action, and so must be covered by DKIM. */
function headersTheAnswerIsReadFrom(
  message: ParsedMessage,
  understood: UnderstoodAnswer,
): string[] {
  const fields: string[] = [];
  if (findAnswerTokens(message.subject).length > 0) fields.push('subject');
  if (understood.tokens.direct.length === 0) {
    if (message.headers.has('in-reply-to')) fields.push('in-reply-to');
    if (message.headers.has('references')) fields.push('references');
  }
  return fields;
}

async function decide(
  message: ParsedMessage,
  deps: VerifierDeps,
  context: DecideContext,
): Promise<Verdict> {
  const { settings } = deps;
  const automatic = classifyAutomatic(message, {
    ownAddresses: [settings.mailboxAddress, settings.mailFrom],
  });
  if (automatic) return reject(automatic);
  // Identity is the From mailbox alone: Sender and Reply-To are never consulted.
  if (!message.from)
    return reject('malformed', `From names ${message.fromHeaderCount} mailboxes, not exactly one`);
  const from = normalizeAddress(message.from.address);
  if (settings.whitelist.enabled && !isAddressWhitelisted(from, settings.whitelist.domains)) {
    return reject('not_whitelisted', `sender domain of ${from} is not whitelisted`);
  }

  const understood = understandAnswer(
    message,
    deps.settings.vocabulary ? { vocabulary: deps.settings.vocabulary } : {},
  );
  const auth = await authenticate(message, from, understood, deps, context);
  if ('outcome' in auth) return auth;
  const { authenticated } = auth;
  const refuse = (
    reason: RejectionReason,
    detail?: string,
    request?: StoredRequest,
    extra: Partial<Rejection> = {},
  ) => reject(reason, detail, request, { ...extra, authenticated });

  // Counted after authentication: forged mail in someone's name cannot use up their budget
  // when DMARC or DKIM is enforced. Cheap rejections above are not counted at all.
  const limiter = deps.senderRateLimiter;
  if (limiter && !(await limiter.take(from, context.inboundId, context.now))) {
    return refuse(
      'rate_limited',
      `more than ${limiter.settings.max} emails from ${from} in ${limiter.settings.durationMs / 1000} s`,
    );
  }

  const found = understood.tokens;
  if (found.direct.length + found.referenced.length + found.quoted.length === 0)
    return refuse('no_token');
  // A direct token that does not verify is tampered or from a retired key: never fall back
  // to anything else in the same message.
  const forged = found.direct.find((token) => !verifyAnswerToken(deps.keyring, token));
  if (forged) return refuse('bad_signature', `token rc-${forged.kid}-… does not verify`);
  // Without a direct token, the request is named by the signed Message-ID the reply refers
  // to, or failing that (a client that drops In-Reply-To) by the quoted request; neither
  // carries an action.
  const referenced = found.referenced.filter((token) => verifyAnswerToken(deps.keyring, token));
  const quoted = found.quoted.filter((token) => verifyAnswerToken(deps.keyring, token));
  const tokens =
    found.direct.length > 0 ? found.direct : referenced.length > 0 ? referenced : quoted;
  if (tokens.length === 0) return refuse('bad_signature', 'no referenced or quoted token verifies');

  const refs = new Map<string, Awaited<ReturnType<RequestStore['resolveRef']>>>();
  for (const token of tokens)
    if (!refs.has(token.ref)) refs.set(token.ref, await deps.store.resolveRef(token.ref));
  const known = [...refs.values()].filter((ref) => ref !== null);
  if (known.length === 0)
    return refuse('unknown_request', 'the answer token names no stored request');
  const requestIds = new Set(known.map((ref) => ref.requestId));
  if (requestIds.size > 1)
    return refuse(
      'ambiguous',
      `tokens of ${requestIds.size} requests: ${[...requestIds].join(', ')}`,
    );

  const request = await deps.store.getStored([...requestIds][0] ?? '');
  if (!request) return refuse('unknown_request');
  // The token is bound to one recipient: only that person's From can use it.
  const recipients = new Set(known.map((ref) => normalizeAddress(ref.recipient)));
  if (!recipients.has(from))
    return refuse('sender_mismatch', `sent by ${from}, not by the assignee`, request);

  const record = await deps.store.get(request.requestId);
  if (record?.status === 'cancelled') {
    return refuse(
      'cancelled',
      `cancelled at ${record.cancelledAt ?? '?'}`,
      request,
      record.cancelledAt ? { cancelledAt: record.cancelledAt } : {},
    );
  }
  if (record?.decision && record.decision.inboundId !== context.inboundId) {
    const { decision } = record;
    return refuse(
      'already_decided',
      `${decision.action} by ${decision.actor} at ${decision.decidedAt}`,
      request,
      { decision },
    );
  }
  if (context.receivedAt > Date.parse(request.expiresAt))
    return refuse('expired', `expired at ${request.expiresAt}`, request);

  const { action, comment } = understood;
  if (!action) return refuse('no_action', 'no unambiguous complete or fail', request);
  return { outcome: 'accepted', request, action, comment, authenticated };
}

/**
 * When the person answered: their Date header, which their client sets, so never later than
 * the message reached our mailbox (a wrong clock or a forged Date cannot post-date it).
 */
export function respondedAt(date: string | null, receivedAt: string): string {
  const sent = date ? Date.parse(date) : NaN;
  const arrived = Date.parse(receivedAt);
  return Number.isNaN(sent) || sent > arrived ? receivedAt : new Date(sent).toISOString();
}

function headerSummary(message: ParsedMessage | undefined) {
  return {
    from: message?.from ? normalizeAddress(message.from.address) : null,
    subject: message?.subject ?? null,
    messageId: message?.messageId ?? null,
  };
}

/** The header section of a raw message (for the log line of a message too large to parse whole). */
function headerSection(raw: Buffer): Buffer {
  const limit = Math.min(raw.length, 256 * 1024);
  for (let i = 0; i < limit - 1; i++) {
    if (raw[i] === 10 && (raw[i + 1] === 10 || (raw[i + 1] === 13 && raw[i + 2] === 10)))
      return raw.subarray(0, i + 1);
  }
  return raw.subarray(0, limit);
}

/**
 * Verifies one inbound message and records exactly one outcome for it. Safe to run twice for
 * the same message (a retry after a crash): the claim, the rate-limit count, the notice and
 * the update jobId are keyed by the message, and the log records a message once.
 */
export async function verifyInbound(
  job: InboundJob,
  deps: VerifierDeps,
  options: VerifyOptions = {},
): Promise<InboundRecord> {
  const now = deps.now?.() ?? new Date();
  const previous = await deps.inboundLog.outcomeOf(job.inboundId);
  if (previous) {
    deps.logger.debug(
      { inboundId: job.inboundId, previous },
      'inbound message already has an outcome',
    );
  }
  const raw = Buffer.from(job.rawBase64, 'base64');
  const tooLarge =
    job.truncated ||
    job.size > deps.settings.maxMessageBytes ||
    raw.length > deps.settings.maxMessageBytes;
  // An oversize message is never parsed whole: its header section is enough for the log.
  // (parseInboundMessage refuses hostile header sections before mailparser sees them.)
  const parsed = await parseInboundMessage(tooLarge ? headerSection(raw) : raw);
  const message: ParsedMessage | undefined = parsed.ok ? parsed.message : undefined;
  let verdict: Verdict;
  if (tooLarge) {
    verdict = reject(
      'too_large',
      `${Math.max(job.size, raw.length)} bytes, limit ${deps.settings.maxMessageBytes}`,
    );
  } else if (!parsed.ok) {
    verdict = reject('malformed', parsed.detail);
  } else {
    const receivedAt = Date.parse(job.receivedAt);
    verdict = await decide(parsed.message, deps, {
      inboundId: job.inboundId,
      now,
      receivedAt: Number.isNaN(receivedAt) ? now.getTime() : Math.min(receivedAt, now.getTime()),
      raw,
      finalAttempt: options.finalAttempt ?? true,
    });
  }

  if (verdict.outcome === 'accepted' && message?.from) {
    verdict = await claimAndQueue(verdict, message, job, deps, now);
  }
  if (verdict.outcome === 'rejected' && deps.rejectionNotices && message?.from) {
    await deps.rejectionNotices.send(
      {
        reason: verdict.reason,
        from: normalizeAddress(message.from.address),
        authenticated: verdict.authenticated ?? false,
        request: verdict.request,
        decision: verdict.decision,
        cancelledAt: verdict.cancelledAt,
        messageId: message.messageId,
      },
      job.inboundId,
    );
  }

  const record: InboundRecord = {
    inboundId: job.inboundId,
    outcome: verdict.outcome,
    reason: verdict.outcome === 'rejected' ? verdict.reason : null,
    ...(verdict.outcome === 'rejected' && verdict.detail ? { detail: verdict.detail } : {}),
    ...headerSummary(message),
    requestId: verdict.request?.requestId ?? null,
    taskId: verdict.request?.taskId ?? null,
    action: verdict.outcome === 'accepted' ? verdict.action : null,
    receivedAt: job.receivedAt,
    decidedAt: now.toISOString(),
  };
  const isNew = await deps.inboundLog.record(record);
  if (isNew) {
    metrics.inboundOutcomes.inc({ outcome: record.outcome, reason: record.reason ?? '' });
    if (verdict.request) {
      await deps.store.addEvent(verdict.request, {
        at: record.decidedAt,
        type: verdict.outcome === 'accepted' ? 'answer_accepted' : 'answer_rejected',
        actor: record.from ?? undefined,
        detail:
          verdict.outcome === 'accepted'
            ? verdict.action
            : `${verdict.reason}${verdict.detail ? `: ${verdict.detail}` : ''}`,
        inboundId: job.inboundId,
      });
    }
    deps.logger.info(
      {
        inboundId: job.inboundId,
        outcome: record.outcome,
        reason: record.reason,
        requestId: record.requestId,
        from: record.from,
      },
      'inbound message decided',
    );
  }
  return record;
}

/** First valid answer wins: claim the request, then queue the update (jobId = requestId). */
async function claimAndQueue(
  verdict: Extract<Verdict, { outcome: 'accepted' }>,
  message: ParsedMessage,
  job: InboundJob,
  deps: VerifierDeps,
  now: Date,
): Promise<Verdict> {
  const from = message.from!;
  const actor = normalizeAddress(from.address);
  const { authenticated } = verdict;
  const claim = await deps.store.claimDecision(verdict.request, {
    action: verdict.action,
    actor,
    inboundId: job.inboundId,
    decidedAt: now.toISOString(),
  });
  if (claim.result === 'cancelled')
    return reject('cancelled', undefined, verdict.request, { authenticated });
  if (claim.result === 'unknown_request')
    return reject('unknown_request', undefined, verdict.request, { authenticated });
  if (claim.result === 'already_decided') {
    const { decision } = claim;
    return reject(
      'already_decided',
      `${decision.action} by ${decision.actor} at ${decision.decidedAt}`,
      verdict.request,
      { decision, authenticated },
    );
  }
  const assignee = verdict.request.assignees.find(
    (candidate) => normalizeAddress(candidate.email) === actor,
  );
  const update: UpdateJob = {
    requestId: verdict.request.requestId,
    taskId: verdict.request.taskId,
    action: claim.decision.action,
    // The name the engine gave the assignee wins over the mail's display name, which the
    // sender chooses freely ("CFO" <alice@corp.example>) and must not reach the audit trail.
    actor: { email: actor, name: assignee?.name || from.name || '' },
    comment: verdict.comment,
    respondedAt: respondedAt(message.date, job.receivedAt),
    messageId: message.messageId ?? '',
    inboundId: job.inboundId,
  };
  await deps.updateQueue.add('update', update, { jobId: `update-${verdict.request.requestId}` });
  return { ...verdict, action: claim.decision.action };
}

/**
 * The outcome of a message the verifier gave up on (dead-lettered after its last attempt), so
 * that the inbound log still accounts for it. The payload may be the very thing that broke
 * the verifier, so nothing in it is trusted beyond a few plain strings.
 */
export async function recordProcessingFailure(
  inboundLog: InboundLog,
  data: unknown,
  error: string,
): Promise<void> {
  const job = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  const text = (value: unknown) => (typeof value === 'string' ? value : null);
  const now = new Date().toISOString();
  await inboundLog.record({
    inboundId: text(job.inboundId) ?? `unknown-${now}`,
    outcome: 'rejected',
    reason: 'processing_failed',
    detail: error.slice(0, 500),
    from: null,
    subject: null,
    messageId: null,
    requestId: null,
    taskId: null,
    receivedAt: text(job.receivedAt) ?? now,
    decidedAt: now,
  });
}
