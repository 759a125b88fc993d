import { JOB_IDS } from '@rc/contracts';
import type { EngineDefinition } from './engine';

/**
 * RC_ENGINE=queue, for Node engines: a typed TaskEvent on the `results` queue, one per request
 * (JOB_IDS.result), which @rc/client's `onResult` consumes. No settings of its own.
 */
export const queueEngine: EngineDefinition<Record<string, never>> = {
  name: 'queue',
  settings: () => ({}),
  create(_settings, { results }) {
    return {
      name: 'queue',
      async notify(event) {
        await results.add(event.event, event, { jobId: JOB_IDS.result(event.requestId) });
        return 'done';
      },
    };
  },
};
