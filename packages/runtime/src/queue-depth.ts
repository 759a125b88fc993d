import type { Queue } from 'bullmq';
import { metrics } from './metrics';

/** Keeps the queue-depth gauge current; called on each /metrics scrape. */
export async function observeQueueDepth(queues: Queue[]): Promise<void> {
  await Promise.all(
    queues.map(async (queue) => {
      const counts = await queue.getJobCounts(
        'waiting',
        // backlog mail the poller queued behind fresh answers (issue 9) waits here
        'prioritized',
        'active',
        'delayed',
        'failed',
        'completed',
      );
      for (const [state, count] of Object.entries(counts))
        metrics.queueDepth.set({ queue: queue.name, state }, count);
      // BullMQ pushes new jobs on the left: the oldest waiting one is the last (asc = true);
      // of the prioritized, the first to run (same priority: in the order they came).
      const heads = await queue.getJobs(['waiting', 'prioritized'], 0, 0, true);
      const oldest = Math.min(...heads.map((job) => job.timestamp));
      metrics.queueOldestJobAge.set(
        { queue: queue.name },
        Number.isFinite(oldest) ? Math.max(0, (Date.now() - oldest) / 1000) : 0,
      );
    }),
  );
}
