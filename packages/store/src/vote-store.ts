import type { AnswerAction, Assignee, RequestRecord, SendRequestJob, Vote } from '@rc/contracts';
import type { Redis } from 'ioredis';
import { RedisScript } from '@rc/runtime/redis';
import { storeKeys, type StoreKeys } from './keys';
import { reassignRequest, type ReassignResult } from './reassignment';
import type { Decision, StoredRequest } from './request-store';
import { keepUntil } from './retention';

type ApprovalFields = Pick<
  RequestRecord,
  'quorum' | 'failPolicy' | 'requester' | 'allowSelfApproval' | 'requireReasonOnFail'
>;

/**
 * What the request record keeps of the approval rules. Defaults are left out, so a request
 * without them is stored (and shown) exactly as before. A quorum above the number of assignees
 * (possible only through a Node engine's job; the intake refuses it) is lowered to it, or the
 * request could never complete.
 */
export function approvalFields(request: SendRequestJob['request']): ApprovalFields {
  const named = new Set(request.assignees.map((assignee) => assignee.email.toLowerCase())).size;
  const quorum = Math.min(request.quorum ?? 1, named);
  return {
    ...(quorum > 1 ? { quorum } : {}),
    ...(request.failPolicy === 'majority' ? { failPolicy: 'majority' as const } : {}),
    ...(request.requester
      ? { requester: { ...request.requester, email: request.requester.email.toLowerCase() } }
      : {}),
    ...(request.allowSelfApproval ? { allowSelfApproval: true } : {}),
    ...(request.requireReasonOnFail ? { requireReasonOnFail: true } : {}),
  };
}

/**
 * Whether a request decides by counting votes rather than by its first answer. Only such a
 * request shows `votes` (webhook, GET) and tells its other assignees of the outcome: a request
 * without quorum or failPolicy keeps the payloads it always had, byte for byte.
 */
export function countsVotes(request: Pick<StoredRequest, 'quorum' | 'failPolicy'>): boolean {
  return (request.quorum ?? 1) > 1 || request.failPolicy === 'majority';
}

/** A vote as stored: the public part, the message that cast it, and when it was counted. */
export interface StoredVote extends Vote {
  inboundId: string;
  countedAt: string;
}

export interface VoteTally {
  complete: number;
  fail: number;
  quorum: number;
  assignees: number;
}

export type VoteResult =
  /** this answer decided the request (or is the retry of the one that did) */
  | { result: 'decided'; decision: Decision; votes: Vote[] }
  /** counted; the request is still open */
  | { result: 'counted'; tally: VoteTally; votes: Vote[] }
  | { result: 'already_voted'; vote: StoredVote }
  | { result: 'already_decided'; decision: Decision }
  | { result: 'revoked' }
  | { result: 'cancelled' }
  | { result: 'unknown_request' };

// One step, so that two votes arriving together are both counted and exactly one of them
// decides. The voter must be an assignee of the request as it stands now: a reassignment
// that removed them (the compare-and-set below) revokes their token at once. A retry of the
// same message (same inboundId) is recognised as the vote or decision it already made.
// failPolicy majority: the request fails once fails > voters - quorum, i.e. when fewer than
// `quorum` assignees remain who have not failed and quorum is out of reach (voters: the
// assignees but a requester who may not approve their own request).
const VOTE = new RedisScript<string[]>(
  'vote',
  `
local raw = redis.call('GET', KEYS[1])
if not raw then return {'unknown_request'} end
if redis.call('EXISTS', KEYS[3]) == 1 then return {'cancelled'} end
local held = redis.call('GET', KEYS[2])
if held then
  if cjson.decode(held).inboundId == ARGV[3] then return {'decided', held} end
  return {'already_decided', held}
end
local request = cjson.decode(raw)
local named = {}
for _, assignee in ipairs(request.assignees) do named[assignee.email] = true end
if not named[ARGV[1]] then return {'revoked'} end
local mine = redis.call('HGET', KEYS[4], ARGV[1])
if mine and cjson.decode(mine).inboundId ~= ARGV[3] then return {'already_voted', mine} end
if not mine then
  redis.call('HSET', KEYS[4], ARGV[1], ARGV[2])
  redis.call('PEXPIREAT', KEYS[4], ARGV[4])
end
local votes = redis.call('HVALS', KEYS[4])
local complete, fail = 0, 0
for _, line in ipairs(votes) do
  if cjson.decode(line).action == 'complete' then complete = complete + 1 else fail = fail + 1 end
end
local quorum = tonumber(request.quorum) or 1
local voters = #request.assignees
local requester = request.requester and not request.allowSelfApproval and request.requester.email
if requester and named[requester] then voters = voters - 1 end
local slack = voters - quorum
local outcome = nil
if complete >= quorum then outcome = 'complete'
elseif fail > 0 and (request.failPolicy ~= 'majority' or fail > slack) then outcome = 'fail' end
if not outcome then
  return {'counted', tostring(complete), tostring(fail), tostring(quorum), tostring(#request.assignees), unpack(votes)}
end
local decision = cjson.decode(ARGV[5])
decision.action = outcome
local encoded = cjson.encode(decision)
redis.call('SET', KEYS[2], encoded, 'PXAT', ARGV[4])
return {'decided', encoded, unpack(votes)}
`,
);

/** What a vote says, as the verifier hands it over. */
export interface VoteInput {
  /** the assignee's address as stored in the request (the key of their one vote) */
  voter: string;
  name: string;
  action: AnswerAction;
  comment: string;
  respondedAt: string;
  inboundId: string;
  /** when the verifier counted it: the order votes are shown in, and the decision's time */
  countedAt: string;
}

const publicVote = ({ actor, action, comment, respondedAt }: StoredVote): Vote => ({
  actor,
  action,
  comment,
  respondedAt,
});

function inOrder(lines: readonly string[]): Vote[] {
  return lines
    .map((line) => JSON.parse(line) as StoredVote)
    .sort(
      (a, b) => a.countedAt.localeCompare(b.countedAt) || a.inboundId.localeCompare(b.inboundId),
    )
    .map(publicVote);
}

/** Votes of requests with a quorum, and reassignment (docs/approvals.md). */
export class VoteStore {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = storeKeys(prefix);
  }

  /** Counts one assignee's answer and decides the request when the votes say so. */
  async cast(request: StoredRequest, vote: VoteInput): Promise<VoteResult> {
    const id = request.requestId;
    const stored: StoredVote = {
      actor: { email: vote.voter, name: vote.name },
      action: vote.action,
      comment: vote.comment,
      respondedAt: vote.respondedAt,
      inboundId: vote.inboundId,
      countedAt: vote.countedAt,
    };
    const decision: Decision = {
      action: vote.action,
      actor: vote.voter,
      inboundId: vote.inboundId,
      decidedAt: vote.countedAt,
    };
    const [result, ...rest] = await VOTE.run(
      this.redis,
      [this.keys.request(id), this.keys.decision(id), this.keys.cancelled(id), this.keys.votes(id)],
      [
        vote.voter,
        JSON.stringify(stored),
        vote.inboundId,
        keepUntil(request),
        JSON.stringify(decision),
      ],
    );
    switch (result) {
      case 'decided': {
        const [held = '{}', ...votes] = rest;
        return { result, decision: JSON.parse(held) as Decision, votes: inOrder(votes) };
      }
      case 'counted': {
        const [complete, fail, quorum, assignees, ...votes] = rest.map(String);
        const tally = {
          complete: Number(complete),
          fail: Number(fail),
          quorum: Number(quorum),
          assignees: Number(assignees),
        };
        return { result, tally, votes: inOrder(votes) };
      }
      case 'already_voted':
        return { result, vote: JSON.parse(rest[0] ?? '{}') as StoredVote };
      case 'already_decided':
        return { result, decision: JSON.parse(rest[0] ?? '{}') as Decision };
      case 'revoked':
      case 'cancelled':
        return { result };
      default:
        return { result: 'unknown_request' };
    }
  }

  /** Every vote counted so far, oldest first. */
  async list(requestId: string): Promise<Vote[]> {
    return inOrder(await this.redis.hvals(this.keys.votes(requestId)));
  }

  /**
   * Replaces the assignees of an open request (reassignment.ts): those no longer named are
   * revoked at once, since the vote script admits assignees only.
   */
  reassign(requestId: string, assignees: readonly Assignee[], at: string): Promise<ReassignResult> {
    return reassignRequest(this.redis, this.keys, { requestId, assignees, at });
  }
}
