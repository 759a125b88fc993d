import { completionRequestInputSchema, reassignInputSchema } from '@rc/contracts';
import type { Config } from '@rc/runtime';
import type { z } from 'zod';
import {
  deadLetterListSchema,
  deadLetterPathSchema,
  deadLetterQuerySchema,
  replayedSchema,
  replayQuerySchema,
} from '../dead-letters';
import { reassignConflictSchema, reassignedSchema } from '../reassign';
import {
  acceptedSchema,
  alreadyDecidedSchema,
  cancelledSchema,
  errorSchema,
  graphNotificationsSchema,
  graphValidationQuerySchema,
  healthSchema,
  inboundListSchema,
  inboundQuerySchema,
  openApiDocumentSchema,
  prometheusTextSchema,
  readinessSchema,
  requestIdPathSchema,
  requestWithEventsSchema,
  validationTokenEchoSchema,
} from './api-schemas';

export type HttpMethod = 'get' | 'post' | 'delete';

export interface ApiResponseSpec {
  description: string;
  /** absent: no body (e.g. Graph's 202) */
  schema?: z.ZodType;
  /** application/json unless said */
  contentType?: string;
}

/** One route of the API port, described by the zod schemas its handler validates with. */
export interface ApiRoute {
  method: HttpMethod;
  /** express syntax, `/v1/dead-letters/:id/replay` */
  path: string;
  operationId: string;
  summary: string;
  tag: string;
  /** RC_API_TOKEN as a bearer token */
  bearer: boolean;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  responses: Record<number, ApiResponseSpec>;
}

const unauthorized: ApiResponseSpec = {
  description: 'missing or wrong bearer token, or RC_API_TOKEN unset',
  schema: errorSchema,
};
const badQuery: ApiResponseSpec = {
  description: 'invalid query, one line per problem',
  schema: errorSchema,
};
const notFound: ApiResponseSpec = { description: 'no such resource', schema: errorSchema };

const OPERATIONS: ApiRoute[] = [
  {
    method: 'get',
    path: '/healthz',
    operationId: 'getHealth',
    summary: 'the process is alive',
    tag: 'operations',
    bearer: false,
    responses: { 200: { description: 'alive', schema: healthSchema } },
  },
  {
    method: 'get',
    path: '/readyz',
    operationId: 'getReadiness',
    summary: 'its Redis and mail connections work',
    tag: 'operations',
    bearer: false,
    responses: {
      200: { description: 'every check passed', schema: readinessSchema },
      503: { description: 'a check failed (each says why)', schema: readinessSchema },
    },
  },
  {
    method: 'get',
    path: '/metrics',
    operationId: 'getMetrics',
    summary: 'Prometheus metrics',
    tag: 'operations',
    bearer: false,
    responses: {
      200: { description: 'metrics', schema: prometheusTextSchema, contentType: 'text/plain' },
    },
  },
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApi',
    summary: 'this document',
    tag: 'operations',
    bearer: false,
    responses: { 200: { description: 'OpenAPI 3.1', schema: openApiDocumentSchema } },
  },
];

const COMPLETION_REQUESTS: ApiRoute[] = [
  {
    method: 'post',
    path: '/v1/completion-requests',
    operationId: 'createCompletionRequest',
    summary: 'ask the assignees by email to complete or fail a task (SPEC 3.2)',
    tag: 'completion requests',
    bearer: true,
    body: completionRequestInputSchema,
    responses: {
      202: {
        description: 'accepted; the same requestId twice is one request',
        schema: acceptedSchema,
      },
      400: {
        description: 'invalid input, one line per problem; nothing queued',
        schema: errorSchema,
      },
      401: unauthorized,
    },
  },
  {
    method: 'get',
    path: '/v1/completion-requests/:requestId',
    operationId: 'getCompletionRequest',
    summary: 'its state and audit events',
    tag: 'completion requests',
    bearer: true,
    params: requestIdPathSchema,
    responses: {
      200: { description: 'the request', schema: requestWithEventsSchema },
      401: unauthorized,
      404: notFound,
    },
  },
  {
    method: 'delete',
    path: '/v1/completion-requests/:requestId',
    operationId: 'cancelCompletionRequest',
    summary: 'cancel: later answers are rejected with reason cancelled',
    tag: 'completion requests',
    bearer: true,
    params: requestIdPathSchema,
    responses: {
      200: { description: 'cancelled', schema: cancelledSchema },
      401: unauthorized,
      404: notFound,
      409: { description: 'already decided', schema: alreadyDecidedSchema },
    },
  },
  {
    method: 'post',
    path: '/v1/completion-requests/:requestId/reassign',
    operationId: 'reassignCompletionRequest',
    summary:
      'replace the assignees: the removed are revoked at once (reason revoked), the new emailed, votes of those who stay kept',
    tag: 'completion requests',
    bearer: true,
    params: requestIdPathSchema,
    body: reassignInputSchema,
    responses: {
      200: { description: 'reassigned', schema: reassignedSchema },
      400: { description: 'invalid input, one line per problem', schema: errorSchema },
      401: unauthorized,
      404: notFound,
      409: { description: 'already decided or cancelled', schema: reassignConflictSchema },
    },
  },
];

const RECORDS: ApiRoute[] = [
  {
    method: 'get',
    path: '/v1/inbound',
    operationId: 'listInboundOutcomes',
    summary: 'the outcome of every inbound email, newest first (SPEC 3.5)',
    tag: 'inbound',
    bearer: true,
    query: inboundQuerySchema,
    responses: {
      200: { description: 'outcomes', schema: inboundListSchema },
      400: badQuery,
      401: unauthorized,
    },
  },
  {
    method: 'get',
    path: '/v1/dead-letters',
    operationId: 'listDeadLetters',
    summary: 'jobs that failed for good, newest first',
    tag: 'dead letters',
    bearer: true,
    query: deadLetterQuerySchema,
    responses: {
      200: { description: 'dead letters', schema: deadLetterListSchema },
      400: badQuery,
      401: unauthorized,
    },
  },
  {
    method: 'post',
    path: '/v1/dead-letters/:id/replay',
    operationId: 'replayDeadLetter',
    summary: 'put the job back into its queue under its original id',
    tag: 'dead letters',
    bearer: true,
    params: deadLetterPathSchema,
    query: replayQuerySchema,
    responses: {
      200: { description: 'replayed', schema: replayedSchema },
      400: badQuery,
      401: unauthorized,
      404: notFound,
      409: {
        description: 'invalid payload (it would fail again), or replayed before without force=true',
        schema: errorSchema,
      },
    },
  },
];

function graphNotificationRoute(path: string, operationId: string, summary: string): ApiRoute {
  return {
    method: 'post',
    path,
    operationId,
    summary,
    tag: 'microsoft graph',
    // Graph sends no credentials; only items carrying our subscription's clientState count.
    bearer: false,
    query: graphValidationQuerySchema,
    body: graphNotificationsSchema,
    responses: {
      200: {
        description: 'the validation handshake: validationToken echoed',
        schema: validationTokenEchoSchema,
        contentType: 'text/plain',
      },
      202: { description: 'received; a mailbox sync follows' },
    },
  };
}

/** The poller mounts these in this process only with a Graph mailbox and a notification URL. */
function graphNotificationsMounted(config: Config): boolean {
  return (
    config.roles.includes('poller') &&
    config.mailboxSource === 'graph' &&
    config.graph?.notificationUrl !== undefined
  );
}

/** Every route the API port of a process with this configuration serves (admin pages aside). */
export function apiRoutes(config: Config): ApiRoute[] {
  return [
    ...OPERATIONS,
    ...COMPLETION_REQUESTS,
    ...RECORDS,
    ...(graphNotificationsMounted(config)
      ? [
          graphNotificationRoute(
            '/v1/graph/notifications',
            'receiveGraphNotifications',
            'Microsoft Graph change notifications for the mailbox',
          ),
          graphNotificationRoute(
            '/v1/graph/notifications/lifecycle',
            'receiveGraphLifecycleEvents',
            'Microsoft Graph subscription lifecycle events',
          ),
        ]
      : []),
  ];
}
