export {
  CompletionClient,
  InvalidCompletionRequestError,
  type CompletionClientOptions,
  type ResultWorker,
} from './completion-client';
export type { AuditEvent, CompletionRequestInput, RequestRecord, TaskEvent } from '@rc/contracts';
