import type { ConfigSection, ServiceRole, ServiceStarter } from '@rc/runtime';
import { startPoller } from '@rc/poller';
import { startSender } from '@rc/sender';
import { engineConfigSection, startTaskUpdater } from '@rc/task-updater';
import { startVerifier } from '@rc/verifier';

/**
 * The four services as `pnpm start` runs them in one process: the same starters each service's
 * own main.ts uses. Tests, the demo and the bench start the product from this one list.
 */
export const ALL_SERVICES: {
  roles: ServiceRole[];
  starters: ServiceStarter[];
  sections: readonly ConfigSection<unknown>[];
} = {
  roles: ['sender', 'poller', 'verifier', 'task-updater'],
  starters: [
    (context) => startSender(context),
    (context) => startPoller(context),
    startVerifier,
    startTaskUpdater,
  ],
  sections: [engineConfigSection()],
};
