import type {
  AnswerAction,
  AuditEvent,
  RequestRecord,
  RequestStatus,
  SendRequestJob,
} from '@rc/contracts';
import type { Redis } from 'ioredis';
import { storeKeys, type StoreKeys } from './keys';
import { approvalFields, VoteStore } from './vote-store';
import { timerAndAttachmentFields } from './timer-store';
import { keepUntil } from './retention';
import { ADD_EVENT, CANCEL, CLAIM, MARK_APPLIED } from './request-scripts';

/** Request ids the creation index keeps at most (the newest; older ones are found by id). */
const CREATION_INDEX_MAX = 100_000;

/** The immutable part of a request, as written once at creation. */
export type StoredRequest = Omit<RequestRecord, 'status' | 'decision' | 'cancelledAt' | 'votes'>;

/** The stored form of a request, from the job; expiry defaults to now + RC_REQUEST_TTL. */
export function storedRequestFromJob(job: SendRequestJob, requestTtlMs: number): StoredRequest {
  const { request } = job;
  const seen = new Set<string>();
  const assignees = request.assignees
    .map((assignee) => ({ ...assignee, email: assignee.email.toLowerCase() }))
    .filter((assignee) => !seen.has(assignee.email) && seen.add(assignee.email));
  return {
    requestId: request.requestId,
    taskId: request.taskId,
    title: request.title,
    ...(request.description !== undefined ? { description: request.description } : {}),
    ...(request.release ? { release: request.release } : {}),
    ...(request.locale ? { locale: request.locale } : {}),
    ...approvalFields(request),
    ...timerAndAttachmentFields(request),
    assignees,
    createdAt: job.requestedAt,
    expiresAt: request.expiresAt
      ? new Date(request.expiresAt).toISOString()
      : new Date(Date.parse(job.requestedAt) + requestTtlMs).toISOString(),
  };
}

export interface Decision {
  action: AnswerAction;
  actor: string;
  inboundId: string;
  decidedAt: string;
  appliedAt?: string;
}

/** What an answer to an answer ref points at. */
export interface AnswerRef {
  requestId: string;
  recipient: string;
}

export type ClaimResult =
  | { result: 'claimed'; decision: Decision }
  | { result: 'already_decided'; decision: Decision }
  | { result: 'cancelled' }
  | { result: 'unknown_request' };

/** A request as of one read: what was asked, and where it stands. */
export interface RequestState {
  request: StoredRequest;
  status: RequestStatus;
  decision?: Decision;
  cancelledAt?: string;
}

function statusOf(decision: Decision | undefined, cancelledAt: string | undefined): RequestStatus {
  if (cancelledAt) return 'cancelled';
  if (decision?.appliedAt) return decision.action === 'complete' ? 'completed' : 'failed';
  return decision ? 'deciding' : 'pending';
}

export type CancelResult = 'cancelled' | 'already_cancelled' | 'already_decided' | 'not_found';

export class RequestStore {
  private readonly keys: StoreKeys;
  /** votes and reassignment of the same requests (vote-store.ts) */
  readonly votes: VoteStore;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = storeKeys(prefix);
    this.votes = new VoteStore(redis, prefix);
  }

  /** Writes a new request; the same requestId twice keeps the first (idempotent intake). */
  async create(request: StoredRequest): Promise<'created' | 'exists'> {
    // Indexed before it is written: a crash in between leaves an id without a request, which
    // recent() skips, rather than a request missing from the list.
    await this.redis
      .multi()
      .zadd(this.keys.requestsByCreation(), 'NX', Date.parse(request.createdAt), request.requestId)
      .zremrangebyrank(this.keys.requestsByCreation(), 0, -CREATION_INDEX_MAX - 1)
      .exec();
    const created = await this.redis.set(
      this.keys.request(request.requestId),
      JSON.stringify(request),
      'PXAT',
      keepUntil(request),
      'NX',
    );
    if (created !== 'OK') return 'exists';
    await this.addEvent(request, {
      at: request.createdAt,
      type: 'requested',
      detail: `${request.assignees.length} assignee(s)`,
    });
    return 'created';
  }

  async getStored(requestId: string): Promise<StoredRequest | null> {
    const raw = await this.redis.get(this.keys.request(requestId));
    return raw ? (JSON.parse(raw) as StoredRequest) : null;
  }

  /**
   * The request, its decision and its cancellation in one read (one MGET), so a caller judges
   * them as of the same instant.
   */
  async getState(requestId: string): Promise<RequestState | null> {
    const [raw, decisionRaw, cancelledAt] = await this.redis.mget(
      this.keys.request(requestId),
      this.keys.decision(requestId),
      this.keys.cancelled(requestId),
    );
    if (!raw) return null;
    const decision = decisionRaw ? (JSON.parse(decisionRaw) as Decision) : undefined;
    return {
      request: JSON.parse(raw) as StoredRequest,
      status: statusOf(decision, cancelledAt ?? undefined),
      ...(decision ? { decision } : {}),
      ...(cancelledAt ? { cancelledAt } : {}),
    };
  }

  /** The request with its derived status, as the API shows it. */
  async get(requestId: string): Promise<RequestRecord | null> {
    const state = await this.getState(requestId);
    if (!state) return null;
    const { request, ...rest } = state;
    return { ...request, ...rest };
  }

  /** The newest requests first, as get() shows them; ids whose request is gone are dropped. */
  async recent(limit: number): Promise<RequestRecord[]> {
    const index = this.keys.requestsByCreation();
    const records: RequestRecord[] = [];
    for (let start = 0; records.length < limit; start += limit) {
      const ids = await this.redis.zrevrange(index, start, start + limit - 1);
      const found = await Promise.all(ids.map((id) => this.get(id)));
      const gone = ids.filter((_, i) => !found[i]);
      if (gone.length > 0) await this.redis.zrem(index, ...gone);
      start -= gone.length;
      records.push(...found.filter((record): record is RequestRecord => record !== null));
      if (ids.length < limit) break;
    }
    return records.slice(0, limit);
  }

  async addEvent(
    request: Pick<StoredRequest, 'requestId' | 'expiresAt'>,
    event: AuditEvent,
  ): Promise<void> {
    await ADD_EVENT.run(
      this.redis,
      [this.keys.events(request.requestId)],
      [JSON.stringify(event), keepUntil(request)],
    );
  }

  async events(requestId: string): Promise<AuditEvent[]> {
    const raw = await this.redis.lrange(this.keys.events(requestId), 0, -1);
    return raw.map((line) => JSON.parse(line) as AuditEvent);
  }

  /**
   * The answer ref of one (request, recipient) pair, created on first use. Re-sending the
   * request (a retried send job) reuses the ref, so tokens already delivered stay valid.
   */
  async answerRefFor(
    request: StoredRequest,
    recipient: string,
    newRef: () => string,
  ): Promise<string> {
    const refsKey = this.keys.refs(request.requestId);
    const candidate = newRef();
    const until = keepUntil(request);
    await this.redis.hsetnx(refsKey, recipient, candidate);
    const ref = (await this.redis.hget(refsKey, recipient)) ?? candidate;
    const answerRef: AnswerRef = { requestId: request.requestId, recipient };
    await this.redis
      .multi()
      .pexpireat(refsKey, until)
      .set(this.keys.ref(ref), JSON.stringify(answerRef), 'PXAT', until)
      .exec();
    return ref;
  }

  async resolveRef(ref: string): Promise<AnswerRef | null> {
    const raw = await this.redis.get(this.keys.ref(ref));
    return raw ? (JSON.parse(raw) as AnswerRef) : null;
  }

  async wasEmailSent(requestId: string, recipient: string): Promise<boolean> {
    return (await this.redis.sismember(this.keys.sent(requestId), recipient)) === 1;
  }

  async markEmailSent(request: StoredRequest, recipient: string): Promise<void> {
    const key = this.keys.sent(request.requestId);
    await this.redis.multi().sadd(key, recipient).pexpireat(key, keepUntil(request)).exec();
  }

  async claimDecision(request: StoredRequest, decision: Decision): Promise<ClaimResult> {
    const id = request.requestId;
    const [result, held] = await CLAIM.run(
      this.redis,
      [this.keys.request(id), this.keys.decision(id), this.keys.cancelled(id)],
      [JSON.stringify(decision), decision.inboundId, keepUntil(request)],
    );
    switch (result) {
      case 'claimed':
      case 'already_decided':
        return { result, decision: JSON.parse(held ?? '{}') as Decision };
      case 'cancelled':
        return { result: 'cancelled' };
      default:
        return { result: 'unknown_request' };
    }
  }

  /**
   * Records that the engine was told; only the task-updater calls this, after the engine said
   * yes. The audit event, if given, is written in the same step, and only the first time.
   */
  async markApplied(request: StoredRequest, appliedAt: string, event?: AuditEvent): Promise<void> {
    const id = request.requestId;
    const result = await MARK_APPLIED.run(
      this.redis,
      [this.keys.decision(id), this.keys.events(id)],
      [appliedAt, keepUntil(request), event ? JSON.stringify(event) : ''],
    );
    if (result === 'no_decision') throw new Error(`no decision recorded for request ${id}`);
  }

  async cancel(requestId: string, at: string): Promise<CancelResult> {
    const stored = await this.getStored(requestId);
    if (!stored) return 'not_found';
    return (await CANCEL.run(
      this.redis,
      [this.keys.request(requestId), this.keys.decision(requestId), this.keys.cancelled(requestId)],
      [at, keepUntil(stored)],
    )) as CancelResult;
  }
}
