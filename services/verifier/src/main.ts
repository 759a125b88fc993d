import { runFromEnvironment } from '@rc/runtime';
import { startVerifier } from './service';

await runFromEnvironment(['verifier'], [startVerifier], 'verifier');
