import { createHmac } from 'node:crypto';
import {
  answerWithButton,
  readRequestEmail,
  sendTestMail,
  startSystem,
  SYSTEM_DEFAULTS,
  waitUntil,
  type TestSystem,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SERVICES } from '../src/index';

const { mailbox: MAILBOX, webhookSecret: WEBHOOK_SECRET } = SYSTEM_DEFAULTS;

let system: TestSystem;
let counter = 0;

beforeAll(async () => {
  system = await startSystem(ALL_SERVICES, {
    RC_WHITELIST_ENABLED: 'true',
    RC_WHITELIST_DOMAINS: 'corp.example',
  });
});
afterAll(async () => {
  await system?.close();
});

/** Requests a completion for one assignee and returns the email they receive. */
async function requestCompletion(assignee: string, extra: Record<string, unknown> = {}) {
  counter += 1;
  const requestId = `req-${counter}-${Date.now()}`;
  const inbox = await system.inboxOf(assignee);
  const response = await system.api('POST', '/v1/completion-requests', {
    taskId: `Release1/Phase1/Task${counter}`,
    title: `Approve deploy ${counter}`,
    release: { id: 'Release1', title: 'Shop 4.2' },
    assignees: [{ email: assignee, name: 'Alice Example' }],
    requestId,
    ...extra,
  });
  expect(response.status).toBe(202);
  expect(response.json).toEqual({ requestId });
  const raw = await inbox.waitFor(
    (source) =>
      source.toString('utf8').toLowerCase().includes(`x-rc-request-id: ${requestId}`.toLowerCase()),
    15_000,
  );
  return { requestId, email: await readRequestEmail(raw) };
}

async function outcomeOf(requestId: string, count = 1) {
  return waitUntil(`inbound outcome for ${requestId}`, async () => {
    const { json } = await system.api('GET', `/v1/inbound?requestId=${requestId}`);
    return json.items?.length >= count ? json.items : undefined;
  });
}

function verifySignature(header: string, body: string): boolean {
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', WEBHOOK_SECRET).update(`${match[1]}.${body}`).digest('hex');
  return expected === match[2];
}

describe('round trip through sender, poller, verifier and task-updater', () => {
  it('Complete button → signed task.completed webhook with the comment, mailbox emptied', async () => {
    const { requestId, email } = await requestCompletion('alice1@corp.example');
    expect(email.raw.toString()).toContain('Complete task');
    expect(email.raw.toString()).toMatch(/^Auto-Submitted: auto-generated/im);
    expect(email.raw.toString()).toMatch(/^Reply-To: approvals@rc\.example/im);

    const before = system.webhook.received.length;
    const sentAt = Date.now();
    await answerWithButton(
      system.stack.smtp,
      'Alice Example <alice1@corp.example>',
      email.completeLink,
      'Looks good, ship it.\r\n',
    );
    const [hook] = (await system.webhook.waitFor(before + 1, 15_000)).slice(before);
    const latencyMs = (hook?.receivedAt ?? Date.now()) - sentAt;
    console.log(`pickup latency (answer sent → webhook received): ${latencyMs} ms`);

    expect(hook?.headers['idempotency-key']).toBe(requestId);
    expect(verifySignature(String(hook?.headers['x-rc-signature']), hook?.rawBody ?? '')).toBe(
      true,
    );
    expect(hook?.json).toMatchObject({
      event: 'task.completed',
      requestId,
      taskId: 'Release1/Phase1/Task1',
      actor: { email: 'alice1@corp.example', name: 'Alice Example' },
      comment: 'Looks good, ship it.',
    });
    const [item] = await outcomeOf(requestId);
    expect(item).toMatchObject({
      outcome: 'accepted',
      reason: null,
      from: 'alice1@corp.example',
      requestId,
    });

    const mailbox = await system.inboxOf(MAILBOX);
    await mailbox.waitForCount(0);
    const state = await waitUntil('completed state', async () => {
      const { json } = await system.api('GET', `/v1/completion-requests/${requestId}`);
      return json.status === 'completed' ? json : undefined;
    });
    expect(state.events.map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(['requested', 'email_sent', 'answer_accepted', 'engine_notified']),
    );
  });

  it('Fail button → task.failed', async () => {
    const { requestId, email } = await requestCompletion('alice2@corp.example');
    const before = system.webhook.received.length;
    await answerWithButton(
      system.stack.smtp,
      'alice2@corp.example',
      email.failLink,
      'Smoke tests are red.\r\n',
    );
    const [hook] = (await system.webhook.waitFor(before + 1)).slice(before);
    expect(hook?.json).toMatchObject({
      event: 'task.failed',
      requestId,
      comment: 'Smoke tests are red.',
    });
  });

  it('a plain reply saying "approve" completes via the signed Message-ID', async () => {
    const { requestId, email } = await requestCompletion('alice3@corp.example');
    const before = system.webhook.received.length;
    await sendTestMail(system.stack.smtp, {
      from: 'alice3@corp.example',
      to: MAILBOX,
      subject: `Re: ${email.subject}`,
      text: 'Approve. Thanks!\r\n\r\nOn Mon, 1 Jan 2026, Remote Completion wrote:\r\n> Please approve',
      inReplyTo: email.messageId,
      references: email.messageId,
    });
    const [hook] = (await system.webhook.waitFor(before + 1)).slice(before);
    expect(hook?.json).toMatchObject({ event: 'task.completed', requestId });
  });

  it('a replayed answer is already_decided and the engine hears once', async () => {
    const { requestId, email } = await requestCompletion('alice4@corp.example');
    const before = system.webhook.received.length;
    await answerWithButton(
      system.stack.smtp,
      'alice4@corp.example',
      email.completeLink,
      'first\r\n',
    );
    await system.webhook.waitFor(before + 1);
    await answerWithButton(system.stack.smtp, 'alice4@corp.example', email.failLink, 'second\r\n');
    const items = await outcomeOf(requestId, 2);
    expect(items[0]).toMatchObject({ outcome: 'rejected', reason: 'already_decided' });
    expect(
      system.webhook.received
        .slice(before)
        .filter((hook) => (hook.json as { requestId: string }).requestId === requestId),
    ).toHaveLength(1);
  });

  it.each([
    ['tampered token', 'alice5@corp.example', 'bad_signature'],
    ['other sender', 'mallory@corp.example', 'sender_mismatch'],
    ['non-whitelisted sender', 'alice6@evil.example', 'not_whitelisted'],
  ])('%s never reaches the engine', async (_case, from, reason) => {
    const assignee =
      reason === 'bad_signature' ? 'alice5@corp.example' : `victim${counter}@corp.example`;
    const { requestId, email } = await requestCompletion(assignee);
    const tamper =
      reason === 'bad_signature'
        ? (text: string) =>
            text.replace(
              /(rc-k1-c[0-9a-z]{12}-)([0-9a-z])/g,
              (_m, head: string, c: string) => head + (c === '0' ? '1' : '0'),
            )
        : undefined;
    await answerWithButton(system.stack.smtp, from, email.completeLink, 'yes\r\n', tamper);
    if (reason === 'bad_signature') {
      const items = await waitUntil('bad_signature outcome', async () => {
        const { json } = await system.api('GET', `/v1/inbound?reason=bad_signature`);
        return json.items?.length ? json.items : undefined;
      });
      expect(items[0]).toMatchObject({ outcome: 'rejected', reason });
    } else if (reason === 'not_whitelisted') {
      const items = await waitUntil('not_whitelisted outcome', async () => {
        const { json } = await system.api('GET', `/v1/inbound?reason=not_whitelisted`);
        return json.items?.length ? json.items : undefined;
      });
      expect(items[0]).toMatchObject({ outcome: 'rejected', reason, from: 'alice6@evil.example' });
    } else {
      const [item] = await outcomeOf(requestId);
      expect(item).toMatchObject({ outcome: 'rejected', reason });
    }
    const state = await system.api('GET', `/v1/completion-requests/${requestId}`);
    expect(state.json.status).toBe('pending');
    expect(
      system.webhook.received.some(
        (hook) => (hook.json as { requestId: string }).requestId === requestId,
      ),
    ).toBe(false);
  });

  it('an out-of-office auto-reply is recorded as auto_reply and not acted on', async () => {
    const { requestId, email } = await requestCompletion('alice7@corp.example');
    await sendTestMail(system.stack.smtp, {
      from: 'alice7@corp.example',
      to: MAILBOX,
      subject: `Automatic reply: ${email.subject}`,
      text: 'I am out of office until Monday. Approve requests go to Bob.',
      headers: { 'Auto-Submitted': 'auto-replied' },
      inReplyTo: email.messageId,
    });
    const items = await waitUntil('auto_reply outcome', async () => {
      const { json } = await system.api('GET', '/v1/inbound?reason=auto_reply');
      return json.items?.length ? json.items : undefined;
    });
    expect(items[0]).toMatchObject({
      outcome: 'rejected',
      reason: 'auto_reply',
      from: 'alice7@corp.example',
    });
    const state = await system.api('GET', `/v1/completion-requests/${requestId}`);
    expect(state.json.status).toBe('pending');
  });

  it('a cancelled request rejects later answers as cancelled', async () => {
    const { requestId, email } = await requestCompletion('alice8@corp.example');
    const cancel = await system.api('DELETE', `/v1/completion-requests/${requestId}`);
    expect(cancel).toMatchObject({ status: 200, json: { status: 'cancelled' } });
    await answerWithButton(system.stack.smtp, 'alice8@corp.example', email.completeLink, 'ok\r\n');
    const [item] = await outcomeOf(requestId);
    expect(item).toMatchObject({ outcome: 'rejected', reason: 'cancelled' });
    expect(
      system.webhook.received.some(
        (hook) => (hook.json as { requestId: string }).requestId === requestId,
      ),
    ).toBe(false);
  });
});
