import { createRedis, type Redis } from '@rc/runtime';
import { startRedis, type RedisServer } from '@rc/testkit';
import type { CompletionRequestInput } from '@rc/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countsVotes, RequestStore, storedRequestFromJob, type VoteInput } from '../src/index';

let server: RedisServer;
let redis: Redis;
let prefixCounter = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = createRedis(server.url, 'client');
});
afterAll(async () => {
  await redis?.quit();
  await server?.stop();
});

const TEAM = ['ann@corp.example', 'ben@corp.example', 'cat@corp.example'];

async function open(rules: Partial<CompletionRequestInput>, assignees = TEAM) {
  prefixCounter += 1;
  const store = new RequestStore(redis, `votes${prefixCounter}`);
  const stored = storedRequestFromJob(
    {
      kind: 'request',
      request: {
        requestId: 'r1',
        taskId: 'T1',
        title: 'Deploy',
        assignees: assignees.map((email) => ({ email })),
        ...rules,
      },
      requestedAt: new Date().toISOString(),
    },
    86_400_000,
  );
  await store.create(stored);
  let clock = Date.parse('2030-01-01T00:00:00Z');
  const vote = (voter: string, action: 'complete' | 'fail', inboundId = `in-${voter}`) => {
    clock += 1000;
    const input: VoteInput = {
      voter,
      name: voter.slice(0, 3),
      action,
      comment: `${action} by ${voter}`,
      respondedAt: new Date(clock).toISOString(),
      inboundId,
      countedAt: new Date(clock).toISOString(),
    };
    return store.votes.cast(stored, input);
  };
  return { store, stored, vote };
}

describe('votes', () => {
  it('stores the approval rules only when given, and lowers a quorum above the team', async () => {
    const plain = await open({});
    expect(plain.stored).not.toHaveProperty('quorum');
    expect(plain.stored).not.toHaveProperty('failPolicy');
    expect(countsVotes(plain.stored)).toBe(false);
    const big = await open({ quorum: 5, failPolicy: 'majority', requireReasonOnFail: true });
    expect(big.stored).toMatchObject({ quorum: 3, failPolicy: 'majority' });
    expect(big.stored.requireReasonOnFail).toBe(true);
    expect(countsVotes(big.stored)).toBe(true);
  });

  it('quorum 2 of 3: the second complete decides; a double vote counts once', async () => {
    const { store, vote } = await open({ quorum: 2 });
    const first = await vote('ann@corp.example', 'complete');
    expect(first).toMatchObject({ result: 'counted', tally: { complete: 1, fail: 0, quorum: 2 } });
    // the same message again (a verifier retry) is the same vote, not a second one
    expect(await vote('ann@corp.example', 'complete')).toMatchObject({ result: 'counted' });
    const twice = await vote('ann@corp.example', 'complete', 'in-ann-again');
    expect(twice).toMatchObject({
      result: 'already_voted',
      vote: { inboundId: 'in-ann@corp.example' },
    });
    const second = await vote('ben@corp.example', 'complete');
    expect(second).toMatchObject({
      result: 'decided',
      decision: { action: 'complete', actor: 'ben@corp.example' },
    });
    if (second.result !== 'decided') throw new Error('not decided');
    expect(second.votes.map((v) => [v.actor.email, v.action])).toEqual([
      ['ann@corp.example', 'complete'],
      ['ben@corp.example', 'complete'],
    ]);
    expect(second.votes[0]).toEqual({
      actor: { email: 'ann@corp.example', name: 'ann' },
      action: 'complete',
      comment: 'complete by ann@corp.example',
      respondedAt: expect.any(String),
    });
    expect(await vote('cat@corp.example', 'fail')).toMatchObject({
      result: 'already_decided',
      decision: { actor: 'ben@corp.example' },
    });
    // the decider's retry finds its own decision
    expect(await vote('ben@corp.example', 'complete')).toMatchObject({ result: 'decided' });
    expect((await store.get('r1'))?.status).toBe('deciding');
    expect(await store.votes.list('r1')).toHaveLength(2);
  });

  it('failPolicy any: one fail fails it, whatever the quorum', async () => {
    const { vote } = await open({ quorum: 2 });
    await vote('ann@corp.example', 'complete');
    expect(await vote('ben@corp.example', 'fail')).toMatchObject({
      result: 'decided',
      decision: { action: 'fail', actor: 'ben@corp.example' },
    });
  });

  it('failPolicy majority: fails once more than assignees - quorum have failed', async () => {
    // 3 assignees, quorum 2: one fail leaves two who can still complete; a second does not
    const { vote } = await open({ quorum: 2, failPolicy: 'majority' });
    expect(await vote('ann@corp.example', 'fail')).toMatchObject({ result: 'counted' });
    expect(await vote('ben@corp.example', 'fail')).toMatchObject({
      result: 'decided',
      decision: { action: 'fail' },
    });
    const again = await open({ quorum: 2, failPolicy: 'majority' });
    await again.vote('ann@corp.example', 'fail');
    await again.vote('ben@corp.example', 'complete');
    expect(await again.vote('cat@corp.example', 'complete')).toMatchObject({
      result: 'decided',
      decision: { action: 'complete', actor: 'cat@corp.example' },
    });
  });

  it('failPolicy majority: a requester who may not approve is not counted among the voters', async () => {
    // 3 assignees, one of them the requester: 2 voters, quorum 2, so one fail decides
    const { vote } = await open({
      quorum: 2,
      failPolicy: 'majority',
      requester: { email: 'Cat@corp.example' },
    });
    expect(await vote('ann@corp.example', 'fail')).toMatchObject({
      result: 'decided',
      decision: { action: 'fail' },
    });
  });

  it('fifty voters at once: exactly one decision, every vote counted', async () => {
    const team = Array.from({ length: 50 }, (_, i) => `p${i}@corp.example`);
    const { store, vote } = await open({ quorum: 50 }, team);
    const results = await Promise.all(team.map((email) => vote(email, 'complete')));
    expect(results.filter((r) => r.result === 'decided')).toHaveLength(1);
    expect(results.filter((r) => r.result === 'counted')).toHaveLength(49);
    expect(await store.votes.list('r1')).toHaveLength(50);
  });

  it('a reassignment revokes the removed at once, keeps the votes of those who stay', async () => {
    const { store, vote } = await open({ quorum: 2, failPolicy: 'majority' });
    await vote('ann@corp.example', 'complete');
    // cat's fail goes with cat: with two assignees and quorum 2 it would now fail the request
    expect(await vote('cat@corp.example', 'fail', 'in-cat-early')).toMatchObject({
      result: 'counted',
    });
    const reassigned = await store.votes.reassign(
      'r1',
      [{ email: 'Ann@corp.example' }, { email: 'dan@corp.example', name: 'Dan' }],
      '2030-01-02T00:00:00.000Z',
    );
    expect(reassigned).toMatchObject({
      result: 'reassigned',
      added: [{ email: 'dan@corp.example', name: 'Dan' }],
      removed: [{ email: 'ben@corp.example' }, { email: 'cat@corp.example' }],
    });
    expect((await store.votes.list('r1')).map((v) => v.actor.email)).toEqual(['ann@corp.example']);
    expect(await vote('ben@corp.example', 'complete')).toEqual({ result: 'revoked' });
    expect(await vote('cat@corp.example', 'complete')).toEqual({ result: 'revoked' });
    expect(await vote('dan@corp.example', 'complete')).toMatchObject({
      result: 'decided',
      decision: { actor: 'dan@corp.example' },
    });
    expect((await store.events('r1')).map((e) => [e.type, e.detail])).toContainEqual([
      'reassigned',
      'added dan@corp.example; removed ben@corp.example, cat@corp.example',
    ]);
    // decided: no more reassignment
    expect(await store.votes.reassign('r1', [{ email: 'eve@corp.example' }], 'x')).toEqual({
      result: 'decided',
    });
    expect(await store.votes.reassign('nope', [{ email: 'eve@corp.example' }], 'x')).toEqual({
      result: 'not_found',
    });
  });

  it('failPolicy majority: a list on which the quorum is already out of reach is refused', async () => {
    const { store, vote } = await open({ quorum: 2, failPolicy: 'majority' });
    await vote('ann@corp.example', 'fail');
    // ann and ben left, quorum 2: ann's fail means it could never complete
    const refused = await store.votes.reassign(
      'r1',
      [{ email: 'ann@corp.example' }, { email: 'ben@corp.example' }],
      'x',
    );
    expect(refused).toEqual({ result: 'unreachable' });
    expect((await store.get('r1'))?.assignees).toHaveLength(3);
    const widened = await store.votes.reassign(
      'r1',
      TEAM.concat('dan@corp.example').map((email) => ({ email })),
      'x',
    );
    expect(widened).toMatchObject({ result: 'reassigned', added: [{ email: 'dan@corp.example' }] });
  });

  it('a cancelled request takes neither votes nor reassignment', async () => {
    const { store, vote } = await open({ quorum: 2 });
    expect(await store.cancel('r1', new Date().toISOString())).toBe('cancelled');
    expect(await vote('ann@corp.example', 'complete')).toEqual({ result: 'cancelled' });
    expect(await store.votes.reassign('r1', [{ email: 'eve@corp.example' }], 'x')).toEqual({
      result: 'cancelled',
    });
  });
});
