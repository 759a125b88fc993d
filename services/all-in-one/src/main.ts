import { runFromEnvironment } from '@rc/runtime';
import { ALL_SERVICES } from './services';

/**
 * `pnpm start`: the four services in one process, on one port. Not a fifth service: the same
 * starters each service's own main.ts uses.
 */
await runFromEnvironment(
  ALL_SERVICES.roles,
  ALL_SERVICES.starters,
  'remote-completion',
  ALL_SERVICES.sections,
);
