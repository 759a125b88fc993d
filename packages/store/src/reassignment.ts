import type { Assignee, AuditEvent } from '@rc/contracts';
import type { Redis } from 'ioredis';
import { RedisScript } from '@rc/runtime/redis';
import type { StoreKeys } from './keys';
import type { StoredRequest } from './request-store';
import { keepUntil } from './retention';

// Compare-and-set on the request's JSON, like the escalation's: written only if nobody changed
// it since it was read, and only while it is open. Votes of removed assignees go with them;
// the audit event is written in the same step. With failPolicy majority, a list on which the
// fails already cast put the quorum out of reach is refused: no vote could decide it any more.
const REASSIGN = new RedisScript<string>(
  'reassign',
  `
local current = redis.call('GET', KEYS[1])
if not current then return 'not_found' end
if redis.call('EXISTS', KEYS[2]) == 1 then return 'decided' end
if redis.call('EXISTS', KEYS[3]) == 1 then return 'cancelled' end
if current ~= ARGV[1] then return 'changed' end
if ARGV[6] ~= '' then
  local fails = 0
  for _, email in ipairs(cjson.decode(ARGV[7])) do
    local vote = redis.call('HGET', KEYS[4], email)
    if vote and cjson.decode(vote).action == 'fail' then fails = fails + 1 end
  end
  if fails > tonumber(ARGV[6]) then return 'unreachable' end
end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
for _, email in ipairs(cjson.decode(ARGV[5])) do redis.call('HDEL', KEYS[4], email) end
redis.call('RPUSH', KEYS[5], ARGV[3])
redis.call('PEXPIREAT', KEYS[5], ARGV[4])
return 'reassigned'
`,
);

export type ReassignResult =
  | { result: 'reassigned'; request: StoredRequest; added: Assignee[]; removed: Assignee[] }
  /** failPolicy majority: the fails of those who stay leave fewer than quorum who could complete */
  | { result: 'unreachable' }
  | { result: 'decided' | 'cancelled' | 'not_found' };

const emails = (list: readonly Assignee[]): string =>
  list.map((assignee) => assignee.email).join(', ') || 'nobody';

/**
 * Replaces the assignees of an open request. The votes of those who stay are kept, those of the
 * removed dropped. A concurrent writer of the request (an escalation) makes us read again.
 */
export async function reassignRequest(
  redis: Redis,
  keys: StoreKeys,
  change: { requestId: string; assignees: readonly Assignee[]; at: string },
): Promise<ReassignResult> {
  const { requestId, at } = change;
  const seen = new Set<string>();
  const wanted = change.assignees
    .map((assignee) => ({ ...assignee, email: assignee.email.toLowerCase() }))
    .filter((assignee) => !seen.has(assignee.email) && seen.add(assignee.email));
  for (let attempt = 0; attempt < 10; attempt += 1) {
    const raw = await redis.get(keys.request(requestId));
    if (!raw) return { result: 'not_found' };
    const request = JSON.parse(raw) as StoredRequest;
    const before = new Set(request.assignees.map((assignee) => assignee.email));
    const added = wanted.filter((assignee) => !before.has(assignee.email));
    const removed = request.assignees.filter((assignee) => !seen.has(assignee.email));
    const kept = wanted.filter((assignee) => before.has(assignee.email));
    const updated: StoredRequest = { ...request, assignees: wanted };
    const event: AuditEvent = {
      at,
      type: 'reassigned',
      detail: `added ${emails(added)}; removed ${emails(removed)}`,
    };
    const { requester } = request;
    const selfBarred = requester && !request.allowSelfApproval && seen.has(requester.email);
    const voters = wanted.length - (selfBarred ? 1 : 0);
    const slack = request.failPolicy === 'majority' ? String(voters - (request.quorum ?? 1)) : '';
    const result = await REASSIGN.run(
      redis,
      [
        keys.request(requestId),
        keys.decision(requestId),
        keys.cancelled(requestId),
        keys.votes(requestId),
        keys.events(requestId),
      ],
      [
        raw,
        JSON.stringify(updated),
        JSON.stringify(event),
        keepUntil(request),
        JSON.stringify(removed.map((assignee) => assignee.email)),
        slack,
        JSON.stringify(kept.map((assignee) => assignee.email)),
      ],
    );
    if (result === 'changed') continue;
    if (result === 'reassigned') return { result, request: updated, added, removed };
    return { result: result as 'unreachable' | 'decided' | 'cancelled' | 'not_found' };
  }
  throw new Error(`request ${requestId} kept changing while it was being reassigned`);
}
