import type { ErrorCode } from '@rc/contracts';
import { UnrecoverableError } from 'bullmq';

/**
 * A failure that retrying cannot fix (a 4xx from the engine, a request gone): BullMQ skips the
 * remaining attempts and the job goes straight to the dead-letter queue with this code.
 */
export class PermanentJobError extends UnrecoverableError {
  constructor(
    message: string,
    readonly code: ErrorCode,
  ) {
    super(message);
    this.name = 'PermanentJobError';
  }
}
