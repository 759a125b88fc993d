import {
  answerActionSchema,
  assigneeSchema,
  rejectionReasonSchema,
  voteSchema,
  type AuditEvent,
  type InboundRecord,
  type RequestRecord,
} from '@rc/contracts';
import { z } from 'zod';

/**
 * What the API answers, as zod schemas: the OpenAPI document is generated from them, and the
 * compiler checks below keep them equal to the types the handlers return (RequestRecord and
 * friends stay interfaces in @rc/contracts; these describe them, they cannot drift apart).
 */

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
/** Fails to compile when a schema and the type it describes differ. */
function sameShape<T extends true>(_proof: T): void {}

/** Every error answer: a stable `error` word and, mostly, one line per problem. */
export const errorSchema = z.object({
  error: z.string(),
  problems: z.array(z.string()).optional(),
});

export const acceptedSchema = z.object({ requestId: z.string() });

export const auditEventSchema = z.object({
  at: z.string(),
  type: z.enum([
    'requested',
    'email_sent',
    'email_failed',
    'answer_accepted',
    'answer_rejected',
    'engine_notified',
    'engine_failed',
    'cancelled',
    'reminder_sent',
    'escalated',
    'expired',
    'reassigned',
  ]),
  actor: z.string().optional(),
  detail: z.string().optional(),
  inboundId: z.string().optional(),
});
sameShape<Same<z.output<typeof auditEventSchema>, AuditEvent>>(true);

const decisionSchema = z.object({
  action: answerActionSchema,
  actor: z.string(),
  inboundId: z.string(),
  decidedAt: z.string(),
  appliedAt: z.string().optional(),
});

export const requestRecordSchema = z.object({
  requestId: z.string(),
  taskId: z.string(),
  title: z.string(),
  description: z.string().optional(),
  release: z.object({ id: z.string(), title: z.string().optional() }).optional(),
  assignees: z.array(assigneeSchema),
  locale: z.string().optional(),
  status: z.enum(['pending', 'deciding', 'completed', 'failed', 'cancelled']),
  createdAt: z.string(),
  expiresAt: z.string(),
  decision: decisionSchema.optional(),
  cancelledAt: z.string().optional(),
  remindAfter: z.string().optional(),
  escalateAfter: z.string().optional(),
  escalateTo: z.array(assigneeSchema).optional(),
  onExpire: z.enum(['none', 'fail', 'complete']).optional(),
  escalation: z
    .object({ at: z.string(), after: z.string(), assignees: z.array(assigneeSchema) })
    .optional(),
  attachments: z
    .array(z.object({ filename: z.string(), contentType: z.string(), size: z.number() }))
    .optional(),
  quorum: z.number().optional(),
  failPolicy: z.enum(['any', 'majority']).optional(),
  requester: assigneeSchema.optional(),
  allowSelfApproval: z.boolean().optional(),
  requireReasonOnFail: z.boolean().optional(),
  votes: z.array(voteSchema).optional().describe('when the request counts votes (quorum)'),
});
sameShape<Same<z.output<typeof requestRecordSchema>, RequestRecord>>(true);

/** `GET /v1/completion-requests/{requestId}`: the state and the audit trail. */
export const requestWithEventsSchema = requestRecordSchema.extend({
  events: z.array(auditEventSchema),
});

export const cancelledSchema = z.object({
  requestId: z.string(),
  status: z.literal('cancelled'),
});

/** 409 to a cancel: the request was decided first, and how. */
export const alreadyDecidedSchema = z.object({
  error: z.literal('already_decided'),
  status: requestRecordSchema.shape.status.optional(),
  decision: decisionSchema.optional(),
});

export const inboundRecordSchema = z.object({
  inboundId: z.string(),
  outcome: z.enum(['accepted', 'rejected']),
  reason: rejectionReasonSchema.nullable(),
  detail: z.string().optional(),
  from: z.string().nullable(),
  subject: z.string().nullable(),
  messageId: z.string().nullable(),
  requestId: z.string().nullable(),
  taskId: z.string().nullable(),
  action: answerActionSchema.nullable().optional(),
  receivedAt: z.string(),
  decidedAt: z.string(),
});
sameShape<Same<z.output<typeof inboundRecordSchema>, InboundRecord>>(true);

export const inboundListSchema = z.object({ items: z.array(inboundRecordSchema) });

export const healthSchema = z.object({ status: z.literal('ok') });

/** Checks may carry details of their own (e.g. the poller's lease role). */
export const readinessSchema = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z.array(
    z.looseObject({ name: z.string(), ok: z.boolean(), error: z.string().optional() }),
  ),
});

export const prometheusTextSchema = z.string().describe('Prometheus text exposition format');

export const openApiDocumentSchema = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/**
 * Microsoft Graph change notifications (and lifecycle events) as Graph posts them. The poller
 * reads only `value[].clientState`, `subscriptionId` and `lifecycleEvent`; the rest is Graph's.
 */
export const graphNotificationsSchema = z.object({
  value: z.array(
    z.looseObject({
      subscriptionId: z.string().optional(),
      clientState: z.string().optional(),
      lifecycleEvent: z
        .enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed'])
        .optional(),
    }),
  ),
});

/** Graph proves the notification URL by a POST with this query; the answer echoes it. */
export const graphValidationQuerySchema = z.object({ validationToken: z.string().optional() });

export const validationTokenEchoSchema = z.string().describe('the validationToken, as text');

const LIMIT_RULE = 'must be a whole number from 1 to 1000';

/** `GET /v1/inbound` query: what the intake validates with and the document shows. */
export const inboundQuerySchema = z.object({
  outcome: z.enum(['accepted', 'rejected'], 'must be accepted or rejected').optional(),
  reason: z
    .enum(
      rejectionReasonSchema.options,
      `must be one of ${rejectionReasonSchema.options.join(', ')}`,
    )
    .optional(),
  requestId: z.string().optional(),
  from: z.string().optional(),
  limit: z.coerce
    .number(LIMIT_RULE)
    .int(LIMIT_RULE)
    .min(1, LIMIT_RULE)
    .max(1000, LIMIT_RULE)
    .default(50),
});

/** `{requestId}` in the completion-request paths. */
export const requestIdPathSchema = z.object({ requestId: z.string() });
