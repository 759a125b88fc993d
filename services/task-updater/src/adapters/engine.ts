import type { TaskEvent } from '@rc/contracts';
import type { StoredRequest } from '@rc/store';

/**
 * The one seam to a release engine. `notify` resolves when the engine has the decision (or
 * already had it); it throws PermanentJobError for failures retrying cannot fix and any other
 * error for failures worth retrying. A new engine is a new file beside this one.
 */
export interface EngineAdapter {
  readonly name: 'webhook' | 'release' | 'queue';
  notify(event: TaskEvent, request: StoredRequest): Promise<'done' | 'already_done'>;
}

/** 408 and 429 are the 4xx answers that mean "later", not "never". */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}
