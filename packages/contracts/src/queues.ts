/**
 * Queue names. These are stored in Redis keys (`<prefix>:<name>:…`): renaming one strands
 * every job already waiting under the old name. Add new queues; never rename these.
 */
export const QUEUE_NAMES = Object.freeze({
  /** completion requests to email, and notices (rejections, confirmations) */
  send: 'send',
  /** raw inbound messages, pushed by the poller before it removes them from the mailbox */
  inbound: 'inbound',
  /** verified decisions for the task-updater to apply to the engine */
  update: 'update',
  /** results for Node engines using `RC_ENGINE=queue` */
  results: 'results',
  /** jobs that failed permanently, with the reason, for an operator to inspect or replay */
  deadLetter: 'dead-letter',
  /** delayed jobs due at a request's reminder, escalation and expiry times */
  timers: 'timers',
} as const);

export type QueueName = (typeof QUEUE_NAMES)[keyof typeof QUEUE_NAMES];
