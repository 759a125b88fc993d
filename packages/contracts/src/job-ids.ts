/**
 * Deterministic job ids, one place for all. BullMQ refuses a second job with an id it still
 * holds, so each id below is what makes its producer idempotent: say why beside each one.
 * Changing a format lets a retry after an upgrade create a duplicate.
 */
export const JOB_IDS = Object.freeze({
  /** one request job per requestId: the intake's and the client's idempotency key */
  request: (requestId: string) => `request-${requestId}`,
  /** one inbound job per message: a message fetched twice (crash, two pollers) is one job */
  inbound: (inboundId: string) => inboundId,
  /** one update per request: only the answer that won the claim queues it */
  update: (requestId: string) => `update-${requestId}`,
  /** one result per request on the `results` queue (RC_ENGINE=queue) */
  result: (requestId: string) => `result-${requestId}`,
  /** one rejection notice per rejected message, whatever the verifier's retries */
  rejectionNotice: (inboundId: string) => `notice-rejection-${inboundId}`,
  /** one confirmation per request, whatever the task-updater's retries */
  confirmationNotice: (requestId: string) => `notice-confirmation-${requestId}`,
  /**
   * one timer of each kind per request: the sender schedules them on every attempt of the
   * request job (and a replay), and only the first is kept
   */
  timer: (kind: 'remind' | 'escalate' | 'expire', requestId: string) =>
    `timer-${kind}-${requestId}`,
  /** one "decided by … at …" note per request and other assignee, whatever the retries */
  decidedNotice: (requestId: string, recipient: string) =>
    `notice-decided-${requestId}-${recipient}`,
  /** one send job per reassignment to the same list (digest): a retried call emails no one twice */
  reassign: (requestId: string, assigneesDigest: string) =>
    `reassign-${requestId}-${assigneesDigest}`,
  /** one dead letter per failed job */
  deadLetter: (queue: string, jobId: string) => `${queue}-${jobId}`,
});
