import { z } from 'zod';
import { rejectionReasonSchema } from './outcomes';
import { attachmentsSchema } from './attachments';
import { DURATION_PATTERN, parseDuration } from './duration';

/** Lower-cased, trimmed e-mail address; full RFC 5322 syntax is not accepted here on purpose. */
export const emailAddressSchema = z
  .string()
  .trim()
  .max(320)
  .regex(
    /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/,
    'must be an e-mail address like alice@corp.example',
  );

export const assigneeSchema = z.object({
  email: emailAddressSchema,
  name: z.string().trim().max(200).optional(),
});
export type Assignee = z.infer<typeof assigneeSchema>;

export const requestIdSchema = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'may contain only letters, digits and . _ : -');

/** `4h`, `1d`: the grammar of RC_ durations, at least one second. */
const requestDurationSchema = z
  .string()
  .max(32)
  .regex(DURATION_PATTERN, 'must be a duration like 30m, 4h or 1d')
  .refine((text) => (parseDuration(text) ?? 0) >= 1000, 'must be at least 1s');

/** What an engine sends to ask for a completion (SPEC 3.2), over HTTP or through the client. */
export const completionRequestInputSchema = z.object({
  taskId: z.string().min(1).max(1024),
  title: z.string().trim().min(1).max(500),
  description: z.string().max(20_000).optional(),
  release: z
    .object({ id: z.string().min(1).max(1024), title: z.string().max(500).optional() })
    .optional(),
  assignees: z.array(assigneeSchema).min(1).max(100),
  expiresAt: z.iso.datetime({ offset: true }).optional(),
  requestId: requestIdSchema.optional(),
  /** language of the request email; `en` when absent */
  locale: z
    .string()
    .regex(/^[a-z]{2}(-[A-Z]{2})?$/)
    .optional(),
  /** assignees who have not answered get one reminder this long after the request */
  remindAfter: requestDurationSchema.optional(),
  /** when nobody answered this long after the request, `escalateTo` are added and emailed */
  escalateAfter: requestDurationSchema.optional(),
  escalateTo: z.array(assigneeSchema).min(1).max(100).optional(),
  /** what the engine is told when the request expires unanswered; `none` when absent */
  onExpire: z.enum(['none', 'fail', 'complete']).optional(),
  /** files sent as MIME attachments of the request email (capped, see attachments.ts) */
  attachments: attachmentsSchema.optional(),
  /** how many distinct assignees must complete (docs/approvals.md); 1 when absent */
  quorum: z.number().int().min(1).max(100).optional(),
  /** `any` (default): one fail fails it; `majority`: it fails once quorum is out of reach */
  failPolicy: z.enum(['any', 'majority']).optional(),
  /** who asked: their answers are rejected `self_approval` unless allowSelfApproval is true */
  requester: assigneeSchema.optional(),
  allowSelfApproval: z.boolean().optional(),
  /** a Fail without a comment is not applied (`reason_required`); the sender is asked why */
  requireReasonOnFail: z.boolean().optional(),
});
export type CompletionRequestInput = z.infer<typeof completionRequestInputSchema>;

export const answerActionSchema = z.enum(['complete', 'fail']);
export type AnswerAction = z.infer<typeof answerActionSchema>;

/** `POST /v1/completion-requests/{id}/reassign`: the new, complete list of assignees. */
export const reassignInputSchema = z.object({
  assignees: z.array(assigneeSchema).min(1).max(100),
});
export type ReassignInput = z.infer<typeof reassignInputSchema>;

/**
 * `send` queue. One discriminated union keyed by `kind`; the payload never carries secrets
 * (tokens are minted by the sender at send time from the keys it holds).
 */
export const sendRequestJobSchema = z.object({
  kind: z.literal('request'),
  request: completionRequestInputSchema.extend({ requestId: requestIdSchema }),
  /** ISO time the request was accepted by the intake or client */
  requestedAt: z.iso.datetime({ offset: true }),
  /** how the request arrived: the HTTP intake or a Node engine's client (for metrics) */
  channel: z.enum(['http', 'queue']).optional(),
});
/** What a notice email is about: enough of the request to render it without a store read. */
export const noticeRequestSchema = z.object({
  requestId: z.string(),
  taskId: z.string(),
  title: z.string(),
  expiresAt: z.iso.datetime({ offset: true }),
  locale: z.string().optional(),
});
export type NoticeRequest = z.infer<typeof noticeRequestSchema>;

export const noticeDecisionSchema = z.object({
  action: answerActionSchema,
  actor: z.string(),
  decidedAt: z.iso.datetime({ offset: true }),
});

/**
 * The facts a notice is rendered from. The sender owns all email text (one home, every locale):
 * services that want a notice sent queue what happened, never finished sentences.
 */
export const noticeSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('rejection'),
    reason: rejectionReasonSchema,
    request: noticeRequestSchema.optional(),
    /** the decision that came first, for already_decided */
    decision: noticeDecisionSchema.optional(),
    cancelledAt: z.string().optional(),
    /** the Message-ID of the rejected answer, quoted in the notice for support */
    answerMessageId: z.string().optional(),
  }),
  z.object({
    /** to the other assignees of a request with a quorum, once it is decided */
    type: z.literal('decided'),
    request: noticeRequestSchema,
    decision: noticeDecisionSchema,
  }),
  z.object({
    type: z.literal('confirmation'),
    request: noticeRequestSchema,
    action: answerActionSchema,
    /** `already_done`: the engine had closed the task before we told it */
    engineResult: z.enum(['done', 'already_done']),
    comment: z.string(),
  }),
]);
export type Notice = z.infer<typeof noticeSchema>;

export const sendNoticeJobSchema = z.object({
  kind: z.literal('notice'),
  to: emailAddressSchema,
  /** the answer this notice is about, for In-Reply-To/References (threads the notice) */
  inReplyTo: z.string().optional(),
  notice: noticeSchema,
});
export const sendJobSchema = z.discriminatedUnion('kind', [
  sendRequestJobSchema,
  sendNoticeJobSchema,
]);
export type SendJob = z.infer<typeof sendJobSchema>;
export type SendRequestJob = z.infer<typeof sendRequestJobSchema>;
export type SendNoticeJob = z.infer<typeof sendNoticeJobSchema>;

/** A stored raw message's reference: the id the poller gave it (a Redis key suffix). */
export const RAW_REF_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * `inbound` queue: one raw message, exactly as the mailbox held it: inline (`rawBase64`), or,
 * when large, stored apart in Redis and named by `rawRef` (exactly one of the two). A job with
 * `rawRef` has no `rawBase64` on purpose: a verifier from before `rawRef` finds its contract
 * broken and dead-letters the job (PAYLOAD_INVALID, replayable after the upgrade) instead of
 * parsing an empty message as `malformed`.
 */
export const inboundJobSchema = z
  .object({
    /** stable id of this message (a hash of its bytes): the same mail fetched twice is one job */
    inboundId: z.string(),
    source: z.enum(['imap', 'graph']),
    mailbox: z.string(),
    /** when the poller took it from the mailbox */
    receivedAt: z.iso.datetime({ offset: true }),
    /**
     * when the mailbox received it (IMAP INTERNALDATE, Graph receivedDateTime), if the source
     * says; expiry is judged by it (capped at receivedAt), so a poller outage expires nothing
     */
    arrivedAt: z.iso.datetime({ offset: true }).optional(),
    /** the source's own id of the message (Graph immutable id), for logs and dedupe */
    sourceId: z.string().optional(),
    /** size in bytes as the mailbox reported it */
    size: z.number().int().nonnegative(),
    /** raw RFC 5322 bytes, base64; for a message over the size limit only its header section */
    rawBase64: z.string().optional(),
    /** the raw bytes stored apart (@rc/store RawMessageStore), for messages over 64 KiB */
    rawRef: z.string().regex(RAW_REF_PATTERN).optional(),
    /** true when the body was left out because the message exceeds RC_MAX_MESSAGE_BYTES */
    truncated: z.boolean(),
  })
  .refine((job) => (job.rawBase64 === undefined) !== (job.rawRef === undefined), {
    message: 'exactly one of rawBase64 and rawRef is required',
    path: ['rawBase64'],
  });
export type InboundJob = z.infer<typeof inboundJobSchema>;

export const actorSchema = z.object({ email: z.string(), name: z.string() });

/** One assignee's counted answer to a request with a quorum (SPEC 3.5 `votes`). */
export const voteSchema = z.object({
  actor: actorSchema,
  action: answerActionSchema,
  comment: z.string(),
  respondedAt: z.iso.datetime({ offset: true }),
});
export type Vote = z.infer<typeof voteSchema>;

/** `update` queue: a verified decision. jobId = requestId, so one request gets one update. */
export const updateJobSchema = z.object({
  requestId: z.string(),
  taskId: z.string(),
  action: answerActionSchema,
  actor: actorSchema,
  comment: z.string(),
  respondedAt: z.iso.datetime({ offset: true }),
  messageId: z.string(),
  inboundId: z.string(),
  /** when the answer reached the mailbox: the start of the end-to-end latency */
  arrivedAt: z.iso.datetime({ offset: true }).optional(),
  /** every vote counted, when the request counts votes (quorum > 1 or failPolicy majority) */
  votes: z.array(voteSchema).optional(),
});
export type UpdateJob = z.infer<typeof updateJobSchema>;

/** What the engine is told (SPEC 3.4); the webhook body and the `results` queue payload. */
export const taskEventSchema = z.object({
  event: z.enum(['task.completed', 'task.failed']),
  requestId: z.string(),
  taskId: z.string(),
  actor: actorSchema,
  comment: z.string(),
  respondedAt: z.iso.datetime({ offset: true }),
  messageId: z.string(),
  /** present when nobody answered within escalateAfter and escalateTo were added (README) */
  escalation: z
    .object({
      at: z.iso.datetime({ offset: true }),
      after: z.string(),
      assignees: z.array(assigneeSchema),
    })
    .optional(),
  /** every vote, in the order cast, when the request counts votes (docs/approvals.md) */
  votes: z.array(voteSchema).optional(),
});
export type TaskEvent = z.infer<typeof taskEventSchema>;

export const deadLetterJobSchema = z.object({
  queue: z.string(),
  jobId: z.string(),
  /** the job's name on its queue, so a replay re-enters it as it was */
  name: z.string().optional(),
  data: z.unknown(),
  error: z.string(),
  /** a code from ERROR_CODES */
  code: z.string().optional(),
  attempts: z.number().int().nonnegative().optional(),
  failedAt: z.iso.datetime({ offset: true }),
});
export type DeadLetterJob = z.infer<typeof deadLetterJobSchema>;

export function toTaskEvent(update: UpdateJob): TaskEvent {
  return {
    event: update.action === 'complete' ? 'task.completed' : 'task.failed',
    requestId: update.requestId,
    taskId: update.taskId,
    actor: update.actor,
    comment: update.comment,
    respondedAt: update.respondedAt,
    messageId: update.messageId,
    ...(update.votes ? { votes: update.votes } : {}),
  };
}
