export {
  CompletionClient,
  InvalidCompletionRequestError,
  type CompletionClientOptions,
} from './completion-client';
export type { AuditEvent, CompletionRequestInput, RequestRecord, TaskEvent } from '@rc/contracts';
