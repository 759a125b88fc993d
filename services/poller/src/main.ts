import { runFromEnvironment } from '@rc/runtime';
import { startPoller } from './service';

await runFromEnvironment(['poller'], [(context) => startPoller(context)], 'poller');
