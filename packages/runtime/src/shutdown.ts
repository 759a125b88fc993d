import { constants } from 'node:os';
import type { Logger } from 'pino';

/** RC_SHUTDOWN_TIMEOUT's default: inside Kubernetes' 30 s terminationGracePeriodSeconds. */
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 25_000;

/** The exit code of a graceful stop that did not finish (the deadline, or `close` failed). */
export const EXIT_SHUTDOWN_INCOMPLETE = 1;

/**
 * SIGTERM or SIGINT closes everything in order: stop taking work (HTTP, workers, the poller's
 * lease is handed back), finish jobs in flight, then close connections, and exit 0. Past
 * `timeoutMs` it exits 1: jobs still running are taken back by another worker once their
 * lock expires (BullMQ's stalled-job check), so nothing is lost, only delayed. A second
 * signal exits at once with the shell's code for it, 128 + its number: 130 for SIGINT, 143
 * for SIGTERM.
 */
export function closeOnSignals(
  logger: Logger,
  close: () => Promise<void>,
  timeoutMs = DEFAULT_SHUTDOWN_TIMEOUT_MS,
): void {
  let closing = false;
  const exit = (code: number) => {
    logger.flush();
    process.exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (closing) {
      const code = 128 + constants.signals[signal];
      logger.warn({ signal, exitCode: code }, 'second signal, exiting now');
      exit(code);
      return;
    }
    closing = true;
    logger.info({ signal, timeoutMs }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown deadline passed (RC_SHUTDOWN_TIMEOUT), exiting');
      exit(EXIT_SHUTDOWN_INCOMPLETE);
    }, timeoutMs);
    timer.unref();
    close().then(
      () => {
        logger.info('stopped');
        exit(0);
      },
      (error: unknown) => {
        logger.error(
          { err: error instanceof Error ? error.message : String(error) },
          'shutdown failed',
        );
        exit(EXIT_SHUTDOWN_INCOMPLETE);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
