import { runFromEnvironment } from '@rc/runtime';
import { engineConfigSection } from './engines/config-section';
import { startTaskUpdater } from './service';

await runFromEnvironment(
  ['task-updater'],
  [(context) => startTaskUpdater(context)],
  'task-updater',
  [engineConfigSection()],
);
