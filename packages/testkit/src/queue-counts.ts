/**
 * Every state a BullMQ job can be in. Counting all of them counts every job a queue holds, so a
 * test that expects "nothing enqueued" cannot miss one that went straight to `prioritized`.
 */
export const ALL_JOB_STATES = [
  'waiting',
  'active',
  'delayed',
  'prioritized',
  'waiting-children',
  'paused',
  'completed',
  'failed',
] as const;

/** The part of a BullMQ `Queue` the count needs (the testkit does not depend on BullMQ). */
export interface CountableQueue {
  getJobCounts(...states: string[]): Promise<Record<string, number>>;
}

/** How many jobs `queue` holds in `states` (default: all of them). */
export async function countJobs(
  queue: CountableQueue,
  states: readonly string[] = ALL_JOB_STATES,
): Promise<number> {
  const counts = await queue.getJobCounts(...states);
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}
