import { runFromEnvironment } from '@rc/runtime';
import { startTaskUpdater } from './service';

await runFromEnvironment(['task-updater'], [startTaskUpdater], 'task-updater');
