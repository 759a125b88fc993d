import type { AnswerAction, InboundJob, InboundRecord, RejectionReason, UpdateJob } from '@rc/contracts';
import {
  classifyAutomatic,
  isAddressWhitelisted,
  normalizeAddress,
  parseInboundMessage,
  understandAnswer,
  type ParsedMessage,
} from '@rc/mail';
import { metrics, type Logger, type TypedQueue } from '@rc/runtime';
import type { InboundLog, RequestStore, StoredRequest } from '@rc/store';
import { verifyAnswerToken, type SigningKeyring } from '@rc/tokens';
import { dmarcPassed } from './dmarc';

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
  };
  now?: () => Date;
}

type Verdict =
  | { outcome: 'accepted'; request: StoredRequest; action: AnswerAction; comment: string }
  | { outcome: 'rejected'; reason: RejectionReason; detail?: string; request?: StoredRequest; action?: AnswerAction };

const reject = (reason: RejectionReason, detail?: string, request?: StoredRequest): Verdict => ({
  outcome: 'rejected',
  reason,
  ...(detail ? { detail } : {}),
  ...(request ? { request } : {}),
});

async function decide(message: ParsedMessage, deps: VerifierDeps, inboundId: string, now: Date): Promise<Verdict> {
  const { settings } = deps;
  const automatic = classifyAutomatic(message, { ownAddresses: [settings.mailboxAddress, settings.mailFrom] });
  if (automatic) return reject(automatic);
  if (!message.from) return reject('malformed', `From names ${message.fromHeaderCount} mailboxes, not exactly one`);
  const from = normalizeAddress(message.from.address);
  if (settings.whitelist.enabled && !isAddressWhitelisted(from, settings.whitelist.domains)) {
    return reject('not_whitelisted', `sender domain of ${from} is not whitelisted`);
  }
  if (settings.requireDmarc && !dmarcPassed(message, settings.trustedAuthservId ?? '')) {
    return reject('dmarc_fail', `no dmarc=pass from ${settings.trustedAuthservId ?? '(unset)'}`);
  }

  const understood = understandAnswer(message);
  const found = understood.tokens;
  if (found.direct.length + found.referenced.length + found.quoted.length === 0) return reject('no_token');
  // A direct token that does not verify is tampered or from a retired key: never fall back
  // to anything else in the same message.
  const forged = found.direct.find((token) => !verifyAnswerToken(deps.keyring, token));
  if (forged) return reject('bad_signature', `token rc-${forged.kid}-… does not verify`);
  // Without a direct token, the request is named by the signed Message-ID the reply refers
  // to, or failing that (a client that drops In-Reply-To) by the quoted request; neither
  // carries an action.
  const referenced = found.referenced.filter((token) => verifyAnswerToken(deps.keyring, token));
  const quoted = found.quoted.filter((token) => verifyAnswerToken(deps.keyring, token));
  const tokens = found.direct.length > 0 ? found.direct : referenced.length > 0 ? referenced : quoted;
  if (tokens.length === 0) return reject('bad_signature', 'no referenced or quoted token verifies');

  const refs = new Map<string, Awaited<ReturnType<RequestStore['resolveRef']>>>();
  for (const token of tokens) if (!refs.has(token.ref)) refs.set(token.ref, await deps.store.resolveRef(token.ref));
  const known = [...refs.values()].filter((ref) => ref !== null);
  if (known.length === 0) return reject('unknown_request', 'the answer token names no stored request');
  const requestIds = new Set(known.map((ref) => ref.requestId));
  if (requestIds.size > 1) return reject('ambiguous', `tokens of ${requestIds.size} requests: ${[...requestIds].join(', ')}`);

  const request = await deps.store.getStored([...requestIds][0] ?? '');
  if (!request) return reject('unknown_request');
  const recipients = new Set(known.map((ref) => normalizeAddress(ref.recipient)));
  if (!recipients.has(from)) return reject('sender_mismatch', `sent by ${from}, not by the assignee`, request);

  const record = await deps.store.get(request.requestId);
  if (record?.status === 'cancelled') return reject('cancelled', `cancelled at ${record.cancelledAt ?? '?'}`, request);
  if (record?.decision && record.decision.inboundId !== inboundId) {
    return reject('already_decided', `${record.decision.action} by ${record.decision.actor} at ${record.decision.decidedAt}`, request);
  }
  if (now.getTime() > Date.parse(request.expiresAt)) return reject('expired', `expired at ${request.expiresAt}`, request);

  const { action, comment } = understood;
  if (!action) return reject('no_action', 'no unambiguous complete or fail', request);
  return { outcome: 'accepted', request, action, comment };
}

function headerSummary(message: ParsedMessage | undefined) {
  return {
    from: message?.from ? normalizeAddress(message.from.address) : null,
    subject: message?.subject ?? null,
    messageId: message?.messageId ?? null,
  };
}

/**
 * Verifies one inbound message and records exactly one outcome for it. Safe to run twice for
 * the same message (a retry after a crash): the claim and the update jobId are keyed by the
 * message, and the log records a message once.
 */
export async function verifyInbound(job: InboundJob, deps: VerifierDeps): Promise<InboundRecord> {
  const now = deps.now?.() ?? new Date();
  const previous = await deps.inboundLog.outcomeOf(job.inboundId);
  if (previous) {
    deps.logger.debug({ inboundId: job.inboundId, previous }, 'inbound message already has an outcome');
  }
  const raw = Buffer.from(job.rawBase64, 'base64');
  const parsed = await parseInboundMessage(raw);
  const message = parsed.ok ? parsed.message : undefined;

  let verdict: Verdict;
  if (job.truncated || job.size > deps.settings.maxMessageBytes || raw.length > deps.settings.maxMessageBytes) {
    verdict = reject('too_large', `${job.size} bytes, limit ${deps.settings.maxMessageBytes}`);
  } else if (!parsed.ok) {
    verdict = reject('malformed', parsed.detail);
  } else {
    verdict = await decide(parsed.message, deps, job.inboundId, now);
  }

  if (verdict.outcome === 'accepted' && message?.from) {
    verdict = await claimAndQueue(verdict, message, job, deps, now);
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
        detail: verdict.outcome === 'accepted' ? verdict.action : `${verdict.reason}${verdict.detail ? `: ${verdict.detail}` : ''}`,
        inboundId: job.inboundId,
      });
    }
    deps.logger.info(
      { inboundId: job.inboundId, outcome: record.outcome, reason: record.reason, requestId: record.requestId, from: record.from },
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
  const claim = await deps.store.claimDecision(verdict.request, {
    action: verdict.action,
    actor,
    inboundId: job.inboundId,
    decidedAt: now.toISOString(),
  });
  if (claim.result === 'cancelled') return reject('cancelled', undefined, verdict.request);
  if (claim.result === 'unknown_request') return reject('unknown_request', undefined, verdict.request);
  if (claim.result === 'already_decided') {
    return reject('already_decided', `${claim.decision.action} by ${claim.decision.actor} at ${claim.decision.decidedAt}`, verdict.request);
  }
  const assignee = verdict.request.assignees.find((candidate) => normalizeAddress(candidate.email) === actor);
  const update: UpdateJob = {
    requestId: verdict.request.requestId,
    taskId: verdict.request.taskId,
    action: claim.decision.action,
    actor: { email: actor, name: from.name || assignee?.name || '' },
    comment: verdict.comment,
    respondedAt: message.date ?? job.receivedAt,
    messageId: message.messageId ?? '',
    inboundId: job.inboundId,
  };
  await deps.updateQueue.add('update', update, { jobId: `update-${verdict.request.requestId}` });
  return { ...verdict, action: claim.decision.action };
}
