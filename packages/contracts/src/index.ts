export { QUEUE_NAMES, type QueueName } from './queues';
export { QUEUE_CONTRACTS, type JobName, type JobPayload } from './queue-contracts';
export { JOB_IDS } from './job-ids';
export { CodedError, ERROR_CODES, errorCodeOf, type ErrorCode } from './errors';
export * from './jobs';
export * from './outcomes';
export * from './requests';
