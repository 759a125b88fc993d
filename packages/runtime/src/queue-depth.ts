import type { Queue } from 'bullmq';
import { metrics } from './metrics';

/** Keeps the queue-depth gauge current; called on each /metrics scrape. */
export async function observeQueueDepth(queues: Queue[]): Promise<void> {
  await Promise.all(
    queues.map(async (queue) => {
      const counts = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'failed',
        'completed',
      );
      for (const [state, count] of Object.entries(counts))
        metrics.queueDepth.set({ queue: queue.name, state }, count);
      // BullMQ pushes new jobs on the left: the oldest waiting one is the last (asc = true).
      const [oldest] = await queue.getJobs(['waiting'], 0, 0, true);
      metrics.queueOldestJobAge.set(
        { queue: queue.name },
        oldest ? Math.max(0, (Date.now() - oldest.timestamp) / 1000) : 0,
      );
    }),
  );
}
