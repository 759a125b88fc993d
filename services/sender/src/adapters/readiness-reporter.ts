import { errorCodeOf } from '@rc/contracts';
import type { Logger } from '@rc/runtime';

/**
 * /readyz is probed every few seconds: a broken credential would log the same line each time.
 * This logs one line when the reason a transport is not ready changes, and one when it is ready
 * again; the probe itself still fails every time, with the reason.
 */
export function readinessReporter(logger: Logger, transport: string) {
  let lastFailure: string | undefined;
  return {
    async check(probe: () => Promise<void>): Promise<void> {
      try {
        await probe();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (message !== lastFailure) {
          lastFailure = message;
          logger.warn(
            { transport, code: errorCodeOf(error) },
            `${transport} not ready: ${message}`,
          );
        }
        throw error;
      }
      if (lastFailure !== undefined) {
        lastFailure = undefined;
        logger.info({ transport }, `${transport} ready again`);
      }
    },
  };
}
