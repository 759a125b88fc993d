export { QUEUE_NAMES, type QueueName } from './queues';
export * from './jobs';
export * from './outcomes';
export * from './requests';
