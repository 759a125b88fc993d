import { z } from 'zod';

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
});
export type CompletionRequestInput = z.infer<typeof completionRequestInputSchema>;

export const answerActionSchema = z.enum(['complete', 'fail']);
export type AnswerAction = z.infer<typeof answerActionSchema>;

/**
 * `send` queue. One discriminated union keyed by `kind`; the payload never carries secrets
 * (tokens are minted by the sender at send time from the keys it holds).
 */
export const sendRequestJobSchema = z.object({
  kind: z.literal('request'),
  request: completionRequestInputSchema.extend({ requestId: requestIdSchema }),
  /** ISO time the request was accepted by the intake or client */
  requestedAt: z.iso.datetime({ offset: true }),
});
export const sendNoticeJobSchema = z.object({
  kind: z.literal('notice'),
  notice: z.enum(['rejection', 'confirmation']),
  to: emailAddressSchema,
  reason: z.string().optional(),
  requestId: z.string().optional(),
  subject: z.string(),
  text: z.string(),
  inReplyTo: z.string().optional(),
});
export const sendJobSchema = z.discriminatedUnion('kind', [
  sendRequestJobSchema,
  sendNoticeJobSchema,
]);
export type SendJob = z.infer<typeof sendJobSchema>;
export type SendRequestJob = z.infer<typeof sendRequestJobSchema>;
export type SendNoticeJob = z.infer<typeof sendNoticeJobSchema>;

/** `inbound` queue: one raw message, exactly as the mailbox held it. */
export const inboundJobSchema = z.object({
  /** stable id of this message (a hash of its bytes): the same mail fetched twice is one job */
  inboundId: z.string(),
  source: z.enum(['imap', 'graph']),
  mailbox: z.string(),
  /** when the poller took it from the mailbox */
  receivedAt: z.iso.datetime({ offset: true }),
  /** size in bytes as the mailbox reported it */
  size: z.number().int().nonnegative(),
  /** raw RFC 5322 bytes, base64; for a message over the size limit only its header section */
  rawBase64: z.string(),
  /** true when the body was left out because the message exceeds RC_MAX_MESSAGE_BYTES */
  truncated: z.boolean(),
});
export type InboundJob = z.infer<typeof inboundJobSchema>;

export const actorSchema = z.object({ email: z.string(), name: z.string() });

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
});
export type TaskEvent = z.infer<typeof taskEventSchema>;

export const deadLetterJobSchema = z.object({
  queue: z.string(),
  jobId: z.string(),
  data: z.unknown(),
  error: z.string(),
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
  };
}
