import { createHash, randomBytes } from 'node:crypto';
import { JOB_IDS } from '@rc/contracts';
import { loadConfig, startHost, type Host } from '@rc/runtime';
import { RequestStore } from '@rc/store';
import {
  createApiClient,
  findFreePort,
  startRedis,
  type ApiResponse,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSender } from '../src/index';

/**
 * The approval rules at the intake and the reassign route (SPEC 3.2) on real Redis. No mail is
 * delivered here (the end-to-end test in services/all-in-one does that): the SMTP port is
 * closed, and what matters is the answer and the send job the route queues.
 */

const API_TOKEN = 'reassign-test-token-0123456789';

let redis: RedisServer;
let host: Host;
let api: (method: string, path: string, body?: unknown) => Promise<ApiResponse>;
let counter = 0;

beforeAll(async () => {
  redis = await startRedis();
  const env = {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: `rs${randomBytes(4).toString('hex')}`,
    RC_SMTP_HOST: '127.0.0.1',
    RC_SMTP_PORT: String(await findFreePort()),
    RC_SMTP_SECURITY: 'none',
    RC_MAILBOX_ADDRESS: 'approvals@rc.example',
    RC_SIGNING_KEYS: `k1:${'12'.repeat(24)}`,
    RC_API_TOKEN: API_TOKEN,
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    RC_WHITELIST_ENABLED: 'true',
    RC_WHITELIST_DOMAINS: 'corp.example',
  };
  host = await startHost(loadConfig(env, ['sender']), [startSender], 'reassign-test');
  const client = createApiClient(`http://127.0.0.1:${host.http.port}`, API_TOKEN);
  api = (method, path, body) => client(method, path, body);
});
afterAll(async () => {
  await host?.close();
  await redis?.stop();
});

async function create(rules: Record<string, unknown>, team = ['ann@corp.example']) {
  counter += 1;
  const requestId = `reassign-${counter}`;
  const response = await api('POST', '/v1/completion-requests', {
    taskId: `T${counter}`,
    title: 'Deploy',
    assignees: team.map((email) => ({ email })),
    requestId,
    ...rules,
  });
  return { requestId, response };
}

const reassign = (requestId: string, assignees: unknown) =>
  api('POST', `/v1/completion-requests/${requestId}/reassign`, { assignees });

describe('approval rules at the intake', () => {
  it('refuses a quorum the assignees cannot reach, the requester not counted', async () => {
    const big = await create({ quorum: 3 }, ['ann@corp.example', 'ben@corp.example']);
    expect(big.response.status).toBe(400);
    expect(big.response.json.problems).toEqual([
      'quorum: 3 needs at least 3 distinct assignees, 2 named',
    ]);
    const self = await create({ quorum: 2, requester: { email: 'Ann@corp.example' } }, [
      'ann@corp.example',
      'ben@corp.example',
    ]);
    expect(self.response.json.problems).toEqual([
      'quorum: 2 needs at least 2 distinct assignees besides the requester, 1 named',
    ]);
    const allowed = await create(
      { quorum: 2, requester: { email: 'ann@corp.example' }, allowSelfApproval: true },
      ['ann@corp.example', 'ben@corp.example'],
    );
    expect(allowed.response.status).toBe(202);
    expect((await create({ failPolicy: 'most' })).response.status).toBe(400);
  });

  it('GET shows votes for a request with a quorum only', async () => {
    const plain = await create({});
    const { json: plainState } = await api('GET', `/v1/completion-requests/${plain.requestId}`);
    expect(plainState).not.toHaveProperty('votes');
    expect(plainState).not.toHaveProperty('quorum');
    const team = await create({ quorum: 2, failPolicy: 'majority' }, [
      'ann@corp.example',
      'ben@corp.example',
    ]);
    const { json: teamState } = await api('GET', `/v1/completion-requests/${team.requestId}`);
    expect(teamState).toMatchObject({ quorum: 2, failPolicy: 'majority', votes: [] });
  });
});

describe('POST /v1/completion-requests/{id}/reassign', () => {
  it('404 unknown, 400 invalid, non-whitelisted or below the quorum', async () => {
    expect((await reassign('nope', [{ email: 'ann@corp.example' }])).status).toBe(404);
    const { requestId } = await create({ quorum: 2 }, ['ann@corp.example', 'ben@corp.example']);
    expect((await reassign(requestId, [])).status).toBe(400);
    const outside = await reassign(requestId, [
      { email: 'ann@corp.example' },
      { email: 'eve@evil.example' },
    ]);
    expect(outside.json.problems).toEqual([
      'assignees.1.email: eve@evil.example is outside RC_WHITELIST_DOMAINS',
    ]);
    const few = await reassign(requestId, [{ email: 'ann@corp.example' }]);
    expect(few.json.problems).toEqual(['quorum: 2 needs at least 2 distinct assignees, 1 named']);
  });

  it('replaces the assignees and queues one send job per new list, however often called', async () => {
    const { requestId } = await create({}, ['ann@corp.example', 'ben@corp.example']);
    const list = [{ email: 'Ben@corp.example' }, { email: 'dan@corp.example', name: 'Dan' }];
    const first = await reassign(requestId, list);
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      requestId,
      assignees: [{ email: 'ben@corp.example' }, { email: 'dan@corp.example', name: 'Dan' }],
      added: [{ email: 'dan@corp.example', name: 'Dan' }],
      removed: [{ email: 'ann@corp.example' }],
    });
    const again = await reassign(requestId, list);
    expect(again.json).toMatchObject({ added: [], removed: [] });
    const digest = createHash('sha256')
      .update(['ben@corp.example', 'dan@corp.example'].join('\n'))
      .digest('hex')
      .slice(0, 16);
    const job = await host.context.queues.send.getJob(JOB_IDS.reassign(requestId, digest));
    expect(job?.data).toMatchObject({
      kind: 'request',
      request: { requestId, assignees: first.json.assignees },
    });
    const { json } = await api('GET', `/v1/completion-requests/${requestId}`);
    expect(json.assignees).toEqual(first.json.assignees);
    expect(json.events.filter((e: { type: string }) => e.type === 'reassigned')).toHaveLength(2);
  });

  it('400 when, with failPolicy majority, the fails of those who stay put the quorum out of reach', async () => {
    const team = ['ann@corp.example', 'ben@corp.example', 'cat@corp.example'];
    const { requestId } = await create({ quorum: 2, failPolicy: 'majority' }, team);
    const store = new RequestStore(host.context.redis, host.context.config.queuePrefix);
    const stored = (await store.getStored(requestId))!;
    const at = new Date().toISOString();
    await store.votes.cast(stored, {
      voter: 'ann@corp.example',
      name: '',
      action: 'fail',
      comment: 'no',
      respondedAt: at,
      inboundId: 'in-ann',
      countedAt: at,
    });
    const refused = await reassign(requestId, [
      { email: 'ann@corp.example' },
      { email: 'ben@corp.example' },
    ]);
    expect(refused.status).toBe(400);
    expect(refused.json.problems[0]).toMatch(/fewer than quorum 2 who could complete/);
  });

  it('409 once cancelled', async () => {
    const { requestId } = await create({});
    expect((await api('DELETE', `/v1/completion-requests/${requestId}`)).status).toBe(200);
    const closed = await reassign(requestId, [{ email: 'ben@corp.example' }]);
    expect(closed.status).toBe(409);
    expect(closed.json).toEqual({ error: 'cancelled', status: 'cancelled' });
  });
});
