import type { TypedQueue } from '@rc/runtime';
import type { SenderDeps } from '../process';

/** What the timers worker needs: the sender's adapters, its timers, and the update queue. */
export interface TimerDeps extends SenderDeps {
  timers: NonNullable<SenderDeps['timers']>;
  /** an expiry decides like an answer: through the task-updater, exactly once */
  updateQueue: TypedQueue<'update'>;
}
