/**
 * Deterministic job ids, one place for all. BullMQ refuses a second job with an id it still
 * holds, so each id below is what makes its producer idempotent: say why beside each one.
 * Changing a format lets a retry after an upgrade create a duplicate.
 */
/**
 * BullMQ refuses a custom job id with a colon (it would read as a repeatable job's key), but a
 * requestId may hold one (`release:42`, SPEC 3.2). Colons become `~`, which no requestId may
 * hold (its pattern), so two different requests never share a job id.
 */
const part = (text: string) => text.replaceAll(':', '~');

export const JOB_IDS = Object.freeze({
  /** one request job per requestId: the intake's and the client's idempotency key */
  request: (requestId: string) => `request-${part(requestId)}`,
  /** one inbound job per message: a message fetched twice (crash, two pollers) is one job */
  inbound: (inboundId: string) => part(inboundId),
  /** one update per request: only the answer that won the claim queues it */
  update: (requestId: string) => `update-${part(requestId)}`,
  /** one result per request on the `results` queue (RC_ENGINE=queue) */
  result: (requestId: string) => `result-${part(requestId)}`,
  /** one rejection notice per rejected message, whatever the verifier's retries */
  rejectionNotice: (inboundId: string) => `notice-rejection-${part(inboundId)}`,
  /** one confirmation per request, whatever the task-updater's retries */
  confirmationNotice: (requestId: string) => `notice-confirmation-${part(requestId)}`,
  /**
   * one timer of each kind per request: the sender schedules them on every attempt of the
   * request job (and a replay), and only the first is kept
   */
  timer: (kind: 'remind' | 'escalate' | 'expire', requestId: string) =>
    `timer-${kind}-${part(requestId)}`,
  /** one "decided by … at …" note per request and other assignee, whatever the retries */
  decidedNotice: (requestId: string, recipient: string) =>
    `notice-decided-${part(requestId)}-${part(recipient)}`,
  /** one send job per reassignment to the same list (digest): a retried call emails no one twice */
  reassign: (requestId: string, assigneesDigest: string) =>
    `reassign-${part(requestId)}-${part(assigneesDigest)}`,
  /** one dead letter per failed job */
  deadLetter: (queue: string, jobId: string) => `${part(queue)}-${part(jobId)}`,
});
