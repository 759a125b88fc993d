import type { z } from 'zod';
import {
  deadLetterJobSchema,
  inboundJobSchema,
  sendJobSchema,
  taskEventSchema,
  updateJobSchema,
} from './jobs';
import { QUEUE_NAMES, type QueueName } from './queues';
import { timerJobSchema } from './timer-jobs';

/**
 * Per queue: the schema every payload is checked against (by the producer's types and by the
 * worker at run time) and the job names it may carry. Job names are stored with each job in
 * Redis: renaming one strands the jobs waiting under it. Add names; never rename.
 */
export const QUEUE_CONTRACTS = {
  [QUEUE_NAMES.send]: { schema: sendJobSchema, jobNames: ['request', 'notice'] },
  [QUEUE_NAMES.inbound]: { schema: inboundJobSchema, jobNames: ['inbound'] },
  [QUEUE_NAMES.update]: { schema: updateJobSchema, jobNames: ['update'] },
  [QUEUE_NAMES.results]: { schema: taskEventSchema, jobNames: ['task.completed', 'task.failed'] },
  [QUEUE_NAMES.deadLetter]: { schema: deadLetterJobSchema, jobNames: ['dead-letter'] },
  [QUEUE_NAMES.timers]: { schema: timerJobSchema, jobNames: ['remind', 'escalate', 'expire'] },
} as const satisfies Record<QueueName, { schema: z.ZodType; jobNames: readonly string[] }>;

type Contracts = typeof QUEUE_CONTRACTS;

/** The payload type of a queue, derived from its schema (never retyped). */
export type JobPayload<N extends QueueName> = z.output<Contracts[N]['schema']>;

/** The job names a queue accepts. */
export type JobName<N extends QueueName> = Contracts[N]['jobNames'][number];
