import { runFromEnvironment } from '@rc/runtime';
import { startSender } from './service';

await runFromEnvironment(['sender'], [(context) => startSender(context)], 'sender');
