import { startRedis, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectionNotices } from '../src/notices';
import { verifyInbound } from '../src/process';
import { buttonAnswer, createHarness, inboundJob, type Harness } from './harness';

/**
 * Approvals in the verifier (docs/approvals.md): votes and the quorum, self-approval,
 * revoked tokens and the reason a Fail must give; what reaches the update queue and the notices.
 */

let server: RedisServer;
let h: Harness;

beforeAll(async () => {
  server = await startRedis();
  h = await createHarness(server);
});
afterAll(async () => {
  await h?.close();
  await server?.stop();
});

let unique = 0;
const person = (name: string) => `${name}-${(unique += 1)}@corp.example`;

function verify(raw: string) {
  const rejectionNotices = new RejectionNotices(h.redis, h.prefix, h.sendQueue);
  return verifyInbound(inboundJob(raw), h.deps({ rejectionNotices }));
}

async function updateOf(requestId: string) {
  return (await h.updates()).find((update) => update.requestId === requestId);
}

async function noticesTo(to: string) {
  return (await h.notices()).filter((job) => job.to === to).map((job) => job.notice);
}

describe('approvals', () => {
  it('quorum 2 of 3: the first complete is counted, the second decides with every vote', async () => {
    const [ann, ben, cat] = [person('ann'), person('ben'), person('cat')];
    const { request, tokens } = await h.request(
      [{ email: ann, name: 'Ann' }, { email: ben }, { email: cat }],
      { quorum: 2 },
    );
    const first = await verify(
      buttonAnswer({ from: ann, token: tokens.get(ann)!.complete, comment: 'Fine by me.' }),
    );
    expect(first).toMatchObject({ outcome: 'accepted', action: 'complete' });
    expect(await updateOf(request.requestId)).toBeUndefined();
    const events = await h.store.events(request.requestId);
    expect(events.at(-1)).toMatchObject({
      type: 'answer_accepted',
      detail: 'complete: vote counted (1 complete, 0 fail; quorum 2 of 3)',
    });

    await verify(buttonAnswer({ from: ann, token: tokens.get(ann)!.fail }));
    expect(await noticesTo(ann)).toEqual([
      expect.objectContaining({
        reason: 'already_voted',
        decision: expect.objectContaining({ action: 'complete', actor: ann }),
      }),
    ]);

    await verify(buttonAnswer({ from: ben, token: tokens.get(ben)!.complete, comment: 'Go.' }));
    const update = await updateOf(request.requestId);
    expect(update).toMatchObject({ action: 'complete', actor: { email: ben }, comment: 'Go.' });
    expect(update?.votes).toEqual([
      {
        actor: { email: ann, name: 'Ann' },
        action: 'complete',
        comment: 'Fine by me.',
        respondedAt: expect.any(String),
      },
      {
        actor: { email: ben, name: '' },
        action: 'complete',
        comment: 'Go.',
        respondedAt: expect.any(String),
      },
    ]);

    const late = await verify(buttonAnswer({ from: cat, token: tokens.get(cat)!.fail }));
    expect(late).toMatchObject({ reason: 'already_decided' });
  });

  it('quorum 1 keeps the update as it always was: no votes key', async () => {
    const one = person('solo');
    const { request, tokens } = await h.request([{ email: one }]);
    await verify(buttonAnswer({ from: one, token: tokens.get(one)!.complete }));
    expect(Object.keys((await updateOf(request.requestId)) ?? {})).not.toContain('votes');
  });

  it('the requester is refused as self_approval, unless allowSelfApproval', async () => {
    const boss = person('boss');
    const refused = await h.request([{ email: boss }], {
      requester: { email: boss.toUpperCase() },
    });
    expect(
      await verify(buttonAnswer({ from: boss, token: refused.tokens.get(boss)!.complete })),
    ).toMatchObject({ outcome: 'rejected', reason: 'self_approval' });
    expect(await noticesTo(boss)).toEqual([
      expect.objectContaining({ type: 'rejection', reason: 'self_approval' }),
    ]);
    expect(await h.store.get(refused.request.requestId)).toMatchObject({ status: 'pending' });

    const allowed = await h.request([{ email: boss }], {
      requester: { email: boss },
      allowSelfApproval: true,
    });
    expect(
      await verify(buttonAnswer({ from: boss, token: allowed.tokens.get(boss)!.complete })),
    ).toMatchObject({ outcome: 'accepted' });
  });

  it('a removed assignee is told their token was revoked', async () => {
    const [gone, stays] = [person('gone'), person('stays')];
    const { request, tokens } = await h.request([{ email: gone }, { email: stays }]);
    await h.store.votes.reassign(request.requestId, [{ email: stays }], new Date().toISOString());
    expect(
      await verify(buttonAnswer({ from: gone, token: tokens.get(gone)!.complete })),
    ).toMatchObject({ reason: 'revoked' });
    expect(await noticesTo(gone)).toEqual([expect.objectContaining({ reason: 'revoked' })]);
  });

  it('requireReasonOnFail: a bare Fail is refused and asked about, a Fail with a reason applies', async () => {
    const terse = person('terse');
    const { request, tokens } = await h.request([{ email: terse }], { requireReasonOnFail: true });
    const bare = buttonAnswer({
      from: terse,
      action: 'fail',
      comment: '',
      token: tokens.get(terse)!.fail,
    });
    expect(await verify(bare)).toMatchObject({ reason: 'reason_required' });
    expect(await noticesTo(terse)).toEqual([
      expect.objectContaining({ reason: 'reason_required', request: expect.anything() }),
    ]);
    expect(await h.store.get(request.requestId)).toMatchObject({ status: 'pending' });
    const reasoned = buttonAnswer({
      from: terse,
      action: 'fail',
      comment: 'Smoke tests are red.',
      token: tokens.get(terse)!.fail,
    });
    expect(await verify(reasoned)).toMatchObject({ outcome: 'accepted', action: 'fail' });
    expect(await updateOf(request.requestId)).toMatchObject({
      action: 'fail',
      comment: 'Smoke tests are red.',
    });
  });
});
