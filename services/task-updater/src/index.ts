export { startTaskUpdater, type TaskUpdaterOptions } from './service';
export { confirmationNotice } from './process';
export {
  ENGINE_SECTION,
  engineConfigSection,
  type EngineSelection,
} from './engines/config-section';
export { ENGINES } from './engines/registry';
export type {
  EngineAdapter,
  EngineContext,
  EngineDefinition,
  EngineResult,
} from './engines/engine';
export { createEngineHttp, type EngineHttp, type EnginePost } from './engines/http-policy';
export { signWebhookBody, webhookEngine, type WebhookSettings } from './engines/webhook';
export { releaseComment, releaseEngine, type ReleaseSettings } from './engines/release';
export { queueEngine } from './engines/queue';
