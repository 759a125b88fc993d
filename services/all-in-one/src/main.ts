import { runFromEnvironment } from '@rc/runtime';
import { startPoller } from '@rc/poller';
import { startSender } from '@rc/sender';
import { startTaskUpdater } from '@rc/task-updater';
import { startVerifier } from '@rc/verifier';

/**
 * `pnpm start`: the four services in one process, on one port. Not a fifth service: the same
 * starters each service's own main.ts uses.
 */
await runFromEnvironment(
  ['sender', 'poller', 'verifier', 'task-updater'],
  [
    (context) => startSender(context),
    (context) => startPoller(context),
    startVerifier,
    startTaskUpdater,
  ],
  'remote-completion',
);
