import { randomBytes } from 'node:crypto';
import { parseInboundMessage } from '@rc/mail';
import {
  answerWithButton,
  readRequestEmail,
  sleep,
  startSystem,
  waitUntil,
  type TestSystem,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SERVICES } from '../src/index';
import { attachedBytes } from './mime-parts';

let system: TestSystem;
let counter = 0;

beforeAll(async () => {
  system = await startSystem(ALL_SERVICES);
});
afterAll(async () => {
  await system?.close();
});

function requestIdFor(name: string): string {
  counter += 1;
  return `${name}-${counter}-${Date.now()}`;
}

async function postRequest(requestId: string, fields: Record<string, unknown>) {
  return system.api('POST', '/v1/completion-requests', {
    taskId: `Release1/Phase1/${requestId}`,
    title: `Approve ${requestId}`,
    requestId,
    ...fields,
  });
}

const isFor = (requestId: string) => (source: Buffer) =>
  source.toString('latin1').toLowerCase().includes(`x-rc-request-id: ${requestId}`.toLowerCase());

async function messagesFor(address: string, requestId: string): Promise<Buffer[]> {
  const inbox = await system.inboxOf(address);
  const all: Buffer[] = [];
  // waitFor returns the first match only; collect by excluding what was seen
  for (;;) {
    const next = await inbox
      .waitFor((source) => isFor(requestId)(source) && !all.some((s) => s.equals(source)), 300)
      .catch(() => undefined);
    if (!next) return all;
    all.push(next);
  }
}

async function stateOf(requestId: string) {
  const { json } = await system.api('GET', `/v1/completion-requests/${requestId}`);
  return json as {
    status: string;
    assignees: { email: string }[];
    escalation?: { after: string; assignees: { email: string }[] };
    attachments?: { filename: string; contentType: string; size: number }[];
    events: { type: string; actor?: string }[];
  };
}

describe('remindAfter', () => {
  it('sends one reminder with the same buttons to an assignee who has not answered', async () => {
    const requestId = requestIdFor('remind');
    const inbox = await system.inboxOf('rita@corp.example');
    expect(
      (
        await postRequest(requestId, {
          assignees: [{ email: 'rita@corp.example', name: 'Rita' }],
          remindAfter: '2s',
        })
      ).status,
    ).toBe(202);
    const first = await readRequestEmail(await inbox.waitFor(isFor(requestId), 15_000));
    const reminderRaw = await inbox.waitFor(
      (source) => isFor(requestId)(source) && source.toString('latin1').includes('Reminder'),
      15_000,
    );
    const reminder = await readRequestEmail(reminderRaw);
    expect(reminder.subject).toMatch(/^Reminder: action required: /);
    expect(reminder.completeLink).toBe(first.completeLink);
    expect(reminder.failLink).toBe(first.failLink);
    expect(reminder.messageId).not.toBe(first.messageId);
    // once: well past the due time there are still exactly two emails
    await sleep(2_500);
    expect(await messagesFor('rita@corp.example', requestId)).toHaveLength(2);
    const state = await stateOf(requestId);
    expect(state.events.filter((event) => event.type === 'reminder_sent')).toEqual([
      expect.objectContaining({ actor: 'rita@corp.example' }),
    ]);

    // the reminder's own button decides the task
    const before = system.webhook.received.length;
    await answerWithButton(system.stack.smtp, 'rita@corp.example', reminder.completeLink, 'ok\r\n');
    const [hook] = (await system.webhook.waitFor(before + 1, 15_000)).slice(before);
    expect(hook?.json).toMatchObject({ event: 'task.completed', requestId });
  });

  it('sends no reminder once the request was cancelled', async () => {
    const requestId = requestIdFor('remind-cancelled');
    const inbox = await system.inboxOf('carl@corp.example');
    await postRequest(requestId, {
      assignees: [{ email: 'carl@corp.example' }],
      remindAfter: '2s',
    });
    await inbox.waitFor(isFor(requestId), 15_000);
    expect((await system.api('DELETE', `/v1/completion-requests/${requestId}`)).status).toBe(200);
    await sleep(3_500);
    expect(await messagesFor('carl@corp.example', requestId)).toHaveLength(1);
    expect((await stateOf(requestId)).events.map((event) => event.type)).not.toContain(
      'reminder_sent',
    );
  });
});

describe('escalateAfter + escalateTo', () => {
  it('adds and emails escalateTo when nobody answered in time; audited and told to the engine', async () => {
    const requestId = requestIdFor('escalate');
    const first = await system.inboxOf('erin@corp.example');
    const boss = await system.inboxOf('boss@corp.example');
    const attachment = randomBytes(2_000);
    expect(
      (
        await postRequest(requestId, {
          assignees: [{ email: 'erin@corp.example' }],
          escalateAfter: '2s',
          escalateTo: [
            { email: 'Boss@corp.example', name: 'The Boss' },
            { email: 'erin@corp.example' },
          ],
          attachments: [
            {
              filename: 'deploy.log',
              contentType: 'text/plain',
              contentBase64: attachment.toString('base64'),
            },
          ],
        })
      ).status,
    ).toBe(202);
    await first.waitFor(isFor(requestId), 15_000);
    const escalatedRaw = await boss.waitFor(isFor(requestId), 15_000);
    const escalated = await readRequestEmail(escalatedRaw);
    expect(escalated.subject).toMatch(/^Action required \(escalated\): /);
    const parsedEscalation = await parseInboundMessage(escalatedRaw);
    if (!parsedEscalation.ok) throw new Error(parsedEscalation.detail);
    expect(parsedEscalation.message.text).toContain('nobody answered within 2s');
    expect(attachedBytes(escalatedRaw).map((part) => part.content)).toEqual([attachment]);

    const state = await stateOf(requestId);
    expect(state.assignees.map((assignee) => assignee.email)).toEqual([
      'erin@corp.example',
      'boss@corp.example',
    ]);
    expect(state.escalation).toMatchObject({
      after: '2s',
      assignees: [{ email: 'boss@corp.example', name: 'The Boss' }],
    });
    expect(state.events.filter((event) => event.type === 'escalated')).toHaveLength(1);

    const before = system.webhook.received.length;
    await answerWithButton(system.stack.smtp, 'boss@corp.example', escalated.failLink, 'no\r\n');
    const [hook] = (await system.webhook.waitFor(before + 1, 15_000)).slice(before);
    expect(hook?.json).toMatchObject({
      event: 'task.failed',
      requestId,
      actor: { email: 'boss@corp.example', name: 'The Boss' },
      escalation: { after: '2s', assignees: [{ email: 'boss@corp.example' }] },
    });
    // the original assignee was never emailed twice
    expect(await messagesFor('erin@corp.example', requestId)).toHaveLength(1);
  });

  it('refuses escalateAfter without escalateTo, and a reminder due after expiry', async () => {
    const response = await postRequest(requestIdFor('bad-timers'), {
      assignees: [{ email: 'erin@corp.example' }],
      escalateAfter: '1h',
      remindAfter: '8d',
    });
    expect(response.status).toBe(400);
    expect(response.json.problems).toEqual([
      expect.stringMatching(/^escalateTo: required with escalateAfter/),
      expect.stringMatching(/^remindAfter: 8d is not before the request expires/),
    ]);
    const badDuration = await postRequest(requestIdFor('bad-duration'), {
      assignees: [{ email: 'erin@corp.example' }],
      remindAfter: 'soon',
    });
    expect(badDuration.status).toBe(400);
    expect(badDuration.json.problems.join('\n')).toContain('remindAfter');
  });
});

describe('attachments', () => {
  it('arrive byte-identical as MIME attachments, names and types sanitised', async () => {
    const requestId = requestIdFor('attach');
    const inbox = await system.inboxOf('ann@corp.example');
    const binary = randomBytes(300_000);
    const log = Buffer.from('line 1\r\nline 2 ünïcödé\n\0tail', 'utf8');
    expect(
      (
        await postRequest(requestId, {
          assignees: [{ email: 'ann@corp.example' }],
          attachments: [
            {
              filename: 'build.tar.gz',
              contentType: 'application/gzip',
              contentBase64: binary.toString('base64'),
            },
            {
              filename: '../../etc/pass\r\nBcc: eve@evil.example\r\n.log',
              contentType: 'text/html; charset=utf-8',
              contentBase64: log.toString('base64'),
            },
          ],
        })
      ).status,
    ).toBe(202);
    const raw = await inbox.waitFor(isFor(requestId), 15_000);
    const parts = attachedBytes(raw);
    expect(parts.map((part) => part.content)).toEqual([binary, log]);
    expect(raw.toString('latin1')).not.toMatch(/^Bcc:/im);

    const parsed = await parseInboundMessage(raw);
    if (!parsed.ok) throw new Error(parsed.detail);
    expect(parsed.message.attachmentNames).toEqual([
      'build.tar.gz',
      'pass__Bcc_ eve@evil.example__.log',
    ]);
    // as sent (mailparser guesses a type from the name's extension, so the header is read)
    expect(parts.map((part) => /^content-type:\s*([^;\s]+)/im.exec(part.headers)?.[1])).toEqual([
      'application/gzip',
      'application/octet-stream',
    ]);
    // the buttons still work in a message with attachments
    await readRequestEmail(raw);

    const state = await stateOf(requestId);
    expect(state.attachments).toEqual([
      { filename: 'build.tar.gz', contentType: 'application/gzip', size: 300_000 },
      {
        filename: 'pass__Bcc_ eve@evil.example__.log',
        contentType: 'application/octet-stream',
        size: log.length,
      },
    ]);
    // stored once beside the request, not in the queued job
    const job = await system.host.context.queues.send.getJob(`request-${requestId}`);
    expect(job?.data.kind === 'request' && job.data.request.attachments).toBeFalsy();
  });

  it('refuses more than 2 MiB decoded with a 400 that says so, and queues nothing', async () => {
    const requestId = requestIdFor('too-big');
    const half = randomBytes(1024 * 1024 + 1).toString('base64');
    const response = await postRequest(requestId, {
      assignees: [{ email: 'ann@corp.example' }],
      attachments: [
        { filename: 'a.bin', contentBase64: half },
        { filename: 'b.bin', contentBase64: half },
      ],
    });
    expect(response.status).toBe(400);
    expect(response.json.problems).toEqual([expect.stringContaining('at most 2097152 bytes')]);
    expect((await system.api('GET', `/v1/completion-requests/${requestId}`)).status).toBe(404);
    const notBase64 = await postRequest(requestIdFor('not-base64'), {
      assignees: [{ email: 'ann@corp.example' }],
      attachments: [{ filename: 'a.txt', contentBase64: 'not base64!' }],
    });
    expect(notBase64.status).toBe(400);
    expect(notBase64.json.problems.join('\n')).toContain('attachments.0.contentBase64');
  });
});

// A request's timers are scheduled from its creation: checked here so a slow machine's
// assertion failures above read as what they are.
it('reports the timers in GET', async () => {
  const requestId = requestIdFor('get');
  await postRequest(requestId, {
    assignees: [{ email: 'gus@corp.example' }],
    remindAfter: '4h',
    escalateAfter: '1d',
    escalateTo: [{ email: 'boss@corp.example' }],
    onExpire: 'fail',
  });
  const state = await waitUntil('request stored', async () => {
    const found = await stateOf(requestId);
    return found.status ? found : undefined;
  });
  expect(state).toMatchObject({
    remindAfter: '4h',
    escalateAfter: '1d',
    escalateTo: [{ email: 'boss@corp.example' }],
    onExpire: 'fail',
  });
});
