import type { TaskEvent } from '@rc/contracts';
import type { TypedQueue } from '@rc/runtime';
import type { EngineAdapter } from './engine';

/** For Node engines: a typed result job on `results`, one per request (jobId = requestId). */
export function createQueueEngine(results: TypedQueue<'results'>): EngineAdapter {
  return {
    name: 'queue',
    async notify(event: TaskEvent) {
      await results.add(event.event, event, { jobId: `result-${event.requestId}` });
      return 'done';
    },
  };
}
