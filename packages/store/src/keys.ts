/**
 * Every Redis key the product builds by hand (store, notices, rate limits), in one place. All keys of a deployment share the queue
 * prefix, so a `{hash-tag}` prefix keeps them in one Redis Cluster slot and the Lua scripts
 * below may touch several of them atomically.
 */
export function storeKeys(prefix: string) {
  return {
    request: (id: string) => `${prefix}:req:${id}`,
    decision: (id: string) => `${prefix}:req:${id}:decision`,
    cancelled: (id: string) => `${prefix}:req:${id}:cancelled`,
    events: (id: string) => `${prefix}:req:${id}:events`,
    refs: (id: string) => `${prefix}:req:${id}:refs`,
    sent: (id: string) => `${prefix}:req:${id}:sent`,
    ref: (ref: string) => `${prefix}:ref:${ref}`,
    /** hash: assignee address → their one counted vote (quorum, failPolicy) */
    votes: (id: string) => `${prefix}:req:${id}:votes`,
    /** set: assignees already sent their one reminder (remindAfter) */
    reminded: (id: string) => `${prefix}:req:${id}:reminded`,
    /** JSON: the request's attachments, once, for every email that carries them */
    attachments: (id: string) => `${prefix}:req:${id}:attachments`,
    /** sorted set: request ids scored by creation time (ms), newest last */
    requestsByCreation: () => `${prefix}:requests:by-creation`,
    inboundLog: () => `${prefix}:inbound:log`,
    inboundDone: (inboundId: string) => `${prefix}:inbound:done:${inboundId}`,
    /** bytes: a large inbound message, stored once by the poller and named by its job */
    rawMessage: (ref: string) => `${prefix}:inbound:raw:${ref}`,
    /** bytes: a large message while it is written in pieces, renamed to rawMessage when whole */
    rawMessageStaging: (ref: string, writer: string) => `${prefix}:inbound:raw:${ref}:${writer}`,
    /** who was last sent a rejection notice for this reason (one a day per sender and reason) */
    rejectionNoticeSent: (from: string, reason: string) =>
      `${prefix}:notice:rejection:${from}:${reason}`,
    /** the sliding window of one sender's processed messages (RC_SENDER_RATE_LIMIT) */
    senderRateLimit: (sender: string) => `${prefix}:ratelimit:sender:${sender}`,
    /** who is the active poller of a mailbox: `<fencing token>:<owner>`, with a TTL */
    pollerLease: (mailbox: string) => `${prefix}:poller:lease:${mailbox}`,
    /** the mailbox's fencing counter: INCR on every acquisition, never expires */
    pollerFence: (mailbox: string) => `${prefix}:poller:fence:${mailbox}`,
  };
}
export type StoreKeys = ReturnType<typeof storeKeys>;
