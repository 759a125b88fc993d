import { z } from 'zod';

/**
 * `timers` queue: delayed jobs, one per (kind, request), due at the moment the request named
 * (createdAt + remindAfter, createdAt + escalateAfter, expiresAt). BullMQ keeps delayed jobs in
 * Redis, so they survive restarts; the deterministic jobId keeps each to one.
 */
export const timerKindSchema = z.enum(['remind', 'escalate', 'expire']);
export type TimerKind = z.infer<typeof timerKindSchema>;

export const timerJobSchema = z.object({
  kind: timerKindSchema,
  requestId: z.string(),
  /** when it was due (ISO), for logs and the lateness metric */
  dueAt: z.iso.datetime({ offset: true }),
});
export type TimerJob = z.infer<typeof timerJobSchema>;
