export { startTaskUpdater, createEngine } from './service';
export { signWebhookBody } from './adapters/webhook';
export type { EngineAdapter } from './adapters/engine';
