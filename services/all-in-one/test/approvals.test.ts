import type { TaskEvent } from '@rc/contracts';
import { parseInboundMessage } from '@rc/mail';
import {
  answerWithButton,
  readRequestEmail,
  startSystem,
  waitUntil,
  type TestSystem,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SERVICES } from '../src/index';

/**
 * Approvals end to end on real Redis, Dovecot and SMTP (issue 12, docs/approvals.md): a quorum
 * of a team, self-approval refused, a reassignment in the middle of a vote, and a Fail that
 * must give its reason. Every answer is a real email through the mailbox.
 */

let system: TestSystem;
let counter = 0;

beforeAll(async () => {
  system = await startSystem(ALL_SERVICES, {
    RC_WHITELIST_ENABLED: 'true',
    RC_WHITELIST_DOMAINS: 'corp.example',
    RC_REJECTION_NOTICES: 'true',
    RC_CONFIRMATION_NOTICES: 'true',
  });
});
afterAll(async () => {
  await system?.close();
});

type RequestEmail = Awaited<ReturnType<typeof readRequestEmail>>;

async function requestEmailOf(address: string, requestId: string): Promise<RequestEmail> {
  const inbox = await system.inboxOf(address);
  const raw = await inbox.waitFor(
    (source) =>
      source.toString('utf8').toLowerCase().includes(`x-rc-request-id: ${requestId}`.toLowerCase()),
    15_000,
  );
  return readRequestEmail(raw);
}

/** Asks a team; returns the request id and the email each of them received. */
async function ask(team: string[], rules: Record<string, unknown>) {
  counter += 1;
  const requestId = `approvals-${counter}-${Date.now()}`;
  const response = await system.api('POST', '/v1/completion-requests', {
    taskId: `Release1/Phase1/Task${counter}`,
    title: `Ship 4.${counter}`,
    assignees: team.map((email) => ({ email })),
    requestId,
    ...rules,
  });
  expect(response.status).toBe(202);
  const emails = new Map<string, RequestEmail>();
  for (const email of team) emails.set(email, await requestEmailOf(email, requestId));
  return { requestId, emails };
}

async function outcomes(requestId: string, count: number) {
  return waitUntil(`${count} outcome(s) for ${requestId}`, async () => {
    const { json } = await system.api('GET', `/v1/inbound?requestId=${requestId}`);
    return json.items?.length >= count ? json.items : undefined;
  });
}

function hooksFor(requestId: string): TaskEvent[] {
  return system.webhook.received
    .map((hook) => hook.json as TaskEvent)
    .filter((event) => event.requestId === requestId);
}

/** The plain text of the first mail to `address` whose headers match, as its reader sees it. */
async function mailTo(address: string, header: RegExp): Promise<string> {
  const raw = await (
    await system.inboxOf(address)
  ).waitFor((source) => header.test(source.toString('utf8')), 15_000);
  const parsed = await parseInboundMessage(raw);
  if (!parsed.ok) throw new Error(`unreadable mail: ${parsed.detail}`);
  return parsed.message.text;
}

async function answer(from: string, link: string, comment: string) {
  await answerWithButton(system.stack.smtp, from, link, comment);
}

describe('approvals through the mailbox', () => {
  it('a team of 3, quorum 2: a double vote counts once, two completes decide, the third is told and their token is dead', async () => {
    const team = ['q-ann@corp.example', 'q-ben@corp.example', 'q-cat@corp.example'];
    const [ann, ben, cat] = team as [string, string, string];
    const { requestId, emails } = await ask(team, { quorum: 2 });

    await answer(ann, emails.get(ann)!.completeLink, 'Fine by me.\r\n');
    expect((await outcomes(requestId, 1))[0]).toMatchObject({ outcome: 'accepted' });
    await answer(ann, emails.get(ann)!.completeLink, 'Really fine.\r\n');
    expect((await outcomes(requestId, 2))[0]).toMatchObject({ reason: 'already_voted' });
    expect(await mailTo(ann, /^Subject: Not applied: /m)).toContain('Reason code: already_voted');
    expect(hooksFor(requestId)).toHaveLength(0);

    await answer(ben, emails.get(ben)!.completeLink, 'Go.\r\n');
    const hook = await waitUntil('the webhook', () => hooksFor(requestId)[0]);
    expect(hook).toMatchObject({ event: 'task.completed', actor: { email: ben }, comment: 'Go.' });
    expect(hook.votes?.map((vote) => [vote.actor.email, vote.action, vote.comment])).toEqual([
      [ann, 'complete', 'Fine by me.'],
      [ben, 'complete', 'Go.'],
    ]);

    const note = await mailTo(cat, /^X-Remote-Completion: decided/m);
    expect(note).toMatch(new RegExp(`was completed by ${ben} at \\S+\\.`));
    await answer(cat, emails.get(cat)!.failLink, 'Too late?\r\n');
    expect((await outcomes(requestId, 4))[0]).toMatchObject({
      from: cat,
      reason: 'already_decided',
    });

    const { json } = await system.api('GET', `/v1/completion-requests/${requestId}`);
    expect(json.status).toBe('completed');
    expect(json.quorum).toBe(2);
    expect(json.votes).toHaveLength(2);
    expect(hooksFor(requestId)).toHaveLength(1);
  });

  it("the requester's own answer is rejected as self_approval", async () => {
    const [boss, peer] = ['s-boss@corp.example', 's-peer@corp.example'];
    const { requestId, emails } = await ask([boss, peer], { requester: { email: boss } });
    await answer(boss, emails.get(boss)!.completeLink, 'Approving my own change.\r\n');
    expect((await outcomes(requestId, 1))[0]).toMatchObject({
      outcome: 'rejected',
      reason: 'self_approval',
      from: boss,
    });
    expect(await mailTo(boss, /^Subject: Not applied: /m)).toContain('Reason code: self_approval');
    await answer(peer, emails.get(peer)!.completeLink, 'Reviewed.\r\n');
    const hook = await waitUntil('the webhook', () => hooksFor(requestId)[0]);
    expect(hook).toMatchObject({ event: 'task.completed', actor: { email: peer } });
    expect(hook).not.toHaveProperty('votes');
  });

  it('a reassignment mid-vote: the removed token is revoked, the vote that stays counts, the new assignee decides', async () => {
    const [ann, ben, dan] = ['r-ann@corp.example', 'r-ben@corp.example', 'r-dan@corp.example'];
    const { requestId, emails } = await ask([ann, ben], { quorum: 2 });
    await answer(ann, emails.get(ann)!.completeLink, 'Yes.\r\n');
    await outcomes(requestId, 1);

    const moved = await system.api('POST', `/v1/completion-requests/${requestId}/reassign`, {
      assignees: [{ email: ann }, { email: dan, name: 'Dan' }],
    });
    expect(moved.status).toBe(200);
    expect(moved.json).toMatchObject({
      requestId,
      added: [{ email: dan, name: 'Dan' }],
      removed: [{ email: ben }],
    });
    const danEmail = await requestEmailOf(dan, requestId);

    await answer(ben, emails.get(ben)!.completeLink, 'Me too.\r\n');
    expect((await outcomes(requestId, 2))[0]).toMatchObject({ from: ben, reason: 'revoked' });
    expect(hooksFor(requestId)).toHaveLength(0);

    await answer(dan, danEmail.completeLink, 'Dan approves.\r\n');
    const hook = await waitUntil('the webhook', () => hooksFor(requestId)[0]);
    expect(hook).toMatchObject({ event: 'task.completed', actor: { email: dan, name: 'Dan' } });
    expect(hook.votes?.map((vote) => vote.actor.email)).toEqual([ann, dan]);

    const { json } = await system.api('GET', `/v1/completion-requests/${requestId}`);
    expect(json.events.map((event: { type: string }) => event.type)).toContain('reassigned');
    const again = await system.api('POST', `/v1/completion-requests/${requestId}/reassign`, {
      assignees: [{ email: ann }, { email: ben }],
    });
    expect(again.status).toBe(409);
    expect(again.json).toEqual({ error: 'already_decided', status: 'completed' });
  });

  it('requireReasonOnFail: a Fail without a reason is refused with a notice; the request stays open', async () => {
    const terse = 'f-terse@corp.example';
    const { requestId, emails } = await ask([terse], { requireReasonOnFail: true });
    await answer(terse, emails.get(terse)!.failLink, '');
    expect((await outcomes(requestId, 1))[0]).toMatchObject({ reason: 'reason_required' });
    const notice = await mailTo(terse, /^Subject: Not applied: /m);
    expect(notice).toContain('needs a reason for a Fail');
    expect(notice).toContain('Reason code: reason_required');
    const { json } = await system.api('GET', `/v1/completion-requests/${requestId}`);
    expect(json.status).toBe('pending');

    await answer(terse, emails.get(terse)!.failLink, 'Smoke tests are red.\r\n');
    const hook = await waitUntil('the webhook', () => hooksFor(requestId)[0]);
    expect(hook).toMatchObject({ event: 'task.failed', comment: 'Smoke tests are red.' });
  });
});
