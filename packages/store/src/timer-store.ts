import {
  attachmentSummaries,
  sanitizeAttachment,
  type Attachment,
  type AuditEvent,
  type Escalation,
  type RequestRecord,
  type SendRequestJob,
} from '@rc/contracts';
import type { Redis } from 'ioredis';
import { RedisScript } from '@rc/runtime/redis';
import { storeKeys, type StoreKeys } from './keys';
import type { StoredRequest } from './request-store';
import { keepUntil } from './retention';

/** Attachments are only ever sent before expiry; an hour's margin covers a late timer. */
const ATTACHMENTS_AFTER_EXPIRY_MS = 3_600_000;

type TimerFields = Pick<
  RequestRecord,
  'remindAfter' | 'escalateAfter' | 'escalateTo' | 'onExpire' | 'attachments'
>;

/** What the request record keeps of the timers and attachments a request asked for. */
export function timerAndAttachmentFields(request: SendRequestJob['request']): TimerFields {
  return {
    ...(request.remindAfter ? { remindAfter: request.remindAfter } : {}),
    ...(request.escalateAfter && request.escalateTo?.length
      ? {
          escalateAfter: request.escalateAfter,
          escalateTo: request.escalateTo.map((a) => ({ ...a, email: a.email.toLowerCase() })),
        }
      : {}),
    ...(request.onExpire && request.onExpire !== 'none' ? { onExpire: request.onExpire } : {}),
    ...(request.attachments?.length
      ? { attachments: attachmentSummaries(request.attachments) }
      : {}),
  };
}

export type EscalateResult =
  | { result: 'escalated'; escalation: Escalation }
  | { result: 'already_escalated'; escalation: Escalation }
  | { result: 'closed' }
  | { result: 'not_found' };

// Compare-and-set on the request's JSON: written only if no one (a reassignment, another
// replica's escalation) changed it since it was read, and only while the request is open. The
// audit event goes in the same step, so a crash cannot leave an escalation unaudited.
const ESCALATE = new RedisScript<string>(
  'escalate',
  `
local current = redis.call('GET', KEYS[1])
if not current then return 'not_found' end
if redis.call('EXISTS', KEYS[2]) == 1 or redis.call('EXISTS', KEYS[3]) == 1 then return 'closed' end
if current ~= ARGV[1] then return 'changed' end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
redis.call('RPUSH', KEYS[4], ARGV[3])
redis.call('PEXPIREAT', KEYS[4], ARGV[4])
return 'escalated'
`,
);

/** Bookkeeping of the timers (reminders sent, the escalation) and the attachments' bytes. */
export class TimerStore {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = storeKeys(prefix);
  }

  async wasReminded(requestId: string, recipient: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.reminded(requestId), recipient)) === 1;
  }

  async markReminded(
    request: { requestId: string; expiresAt: string },
    recipient: string,
  ): Promise<void> {
    const key = this.keys.reminded(request.requestId);
    await this.redis.multi().sadd(key, recipient).pexpireat(key, keepUntil(request)).exec();
  }

  /**
   * Adds `escalation.assignees` to an open request's assignees and records the escalation in
   * it, once. Another writer of the request's JSON between our read and the write makes us
   * read again; a decision or a cancellation in the meantime closes it for good.
   */
  async escalate(requestId: string, escalation: Escalation): Promise<EscalateResult> {
    const id = requestId;
    for (let attempt = 0; attempt < 10; attempt += 1) {
      const raw = await this.redis.get(this.keys.request(id));
      if (!raw) return { result: 'not_found' };
      const request = JSON.parse(raw) as StoredRequest;
      if (request.escalation)
        return { result: 'already_escalated', escalation: request.escalation };
      const named = new Set(request.assignees.map((assignee) => assignee.email));
      const added = escalation.assignees.filter(
        (assignee) => !named.has(assignee.email) && named.add(assignee.email),
      );
      const record: Escalation = { ...escalation, assignees: added };
      const event: AuditEvent = {
        at: escalation.at,
        type: 'escalated',
        actor: 'system',
        detail: `nobody answered within ${escalation.after}; added ${added.map((a) => a.email).join(', ') || 'nobody new'}`,
      };
      const result = await ESCALATE.run(
        this.redis,
        [
          this.keys.request(id),
          this.keys.decision(id),
          this.keys.cancelled(id),
          this.keys.events(id),
        ],
        [
          raw,
          JSON.stringify({
            ...request,
            assignees: [...request.assignees, ...added],
            escalation: record,
          }),
          JSON.stringify(event),
          keepUntil(request),
        ],
      );
      if (result === 'changed') continue;
      if (result === 'escalated') return { result, escalation: record };
      return { result: result === 'closed' ? 'closed' : 'not_found' };
    }
    throw new Error(`request ${id} kept changing while it was being escalated`);
  }

  /**
   * The attachments, stored once per request (not in every job that emails it): the first
   * writer wins, so a retried or replayed job cannot replace them.
   */
  async saveAttachments(
    request: { requestId: string; expiresAt: string },
    files: readonly Attachment[],
  ): Promise<void> {
    if (files.length === 0) return;
    await this.redis.set(
      this.keys.attachments(request.requestId),
      JSON.stringify(files.map(sanitizeAttachment)),
      'PXAT',
      Date.parse(request.expiresAt) + ATTACHMENTS_AFTER_EXPIRY_MS,
      'NX',
    );
  }

  async attachments(requestId: string): Promise<Required<Attachment>[]> {
    const raw = await this.redis.get(this.keys.attachments(requestId));
    return raw ? (JSON.parse(raw) as Required<Attachment>[]) : [];
  }
}
