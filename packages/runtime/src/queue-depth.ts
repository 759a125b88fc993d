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
    }),
  );
}
