import type { EngineDefinition } from './engine';
import { queueEngine } from './queue';
import { releaseEngine } from './release';
import { webhookEngine } from './webhook';

/**
 * Every engine RC_ENGINE can name. A new engine is its own file beside these and one entry
 * here; the config section (RC_ENGINE's allowed values, the engine's settings) and the start-up
 * follow this list. The first is the default (SPEC 3.1: webhook).
 */
export const ENGINES: readonly EngineDefinition<unknown>[] = [
  webhookEngine,
  releaseEngine,
  queueEngine,
];
