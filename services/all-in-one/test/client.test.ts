import { CompletionClient, InvalidCompletionRequestError } from '@rc/client';
import type { TaskEvent } from '@rc/contracts';
import {
  answerWithButton,
  countJobs,
  openMailbox,
  readRequestEmail,
  startSystem,
  waitUntil,
  type TestSystem,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SERVICES } from '../src/index';

let system: TestSystem;
let client: CompletionClient;

beforeAll(async () => {
  system = await startSystem(ALL_SERVICES, { RC_ENGINE: 'queue' });
  client = new CompletionClient({ redisUrl: system.redis.url, prefix: system.env.RC_QUEUE_PREFIX });
});
afterAll(async () => {
  await client?.close();
  await system?.close();
});

describe('the Node client with RC_ENGINE=queue', () => {
  it('requests a completion and receives the typed result', async () => {
    const results: TaskEvent[] = [];
    client.onResult(async (event) => {
      results.push(event);
    });
    const inbox = await openMailbox(system.stack, 'carol@corp.example');
    const { requestId } = await client.requestCompletion({
      taskId: 'Applications/Release9/Phase1/Task1',
      title: 'Sign off release notes',
      assignees: [{ email: 'Carol@Corp.example', name: 'Carol' }],
      locale: 'de',
    });
    const email = await readRequestEmail(await inbox.waitFor(() => true));
    expect(email.subject).toContain('Aktion erforderlich');
    await answerWithButton(
      system.stack.smtp,
      'carol@corp.example',
      email.failLink,
      'Tippfehler im Abschnitt 2.\r\n',
    );

    const [result] = await waitUntil('result job', async () =>
      results.length ? results : undefined,
    );
    expect(result).toMatchObject({
      event: 'task.failed',
      requestId,
      comment: 'Tippfehler im Abschnitt 2.',
      actor: { email: 'carol@corp.example' },
    });
    const state = await waitUntil('failed state', async () => {
      const record = await client.get(requestId);
      return record?.status === 'failed' ? record : undefined;
    });
    expect(state.decision?.actor).toBe('carol@corp.example');
    expect(webhookCalls()).toBe(0);
    await inbox.close();
  });

  it('rejects invalid input before anything is queued', async () => {
    await expect(
      client.requestCompletion({ taskId: '', title: 'x', assignees: [] }),
    ).rejects.toBeInstanceOf(InvalidCompletionRequestError);
    expect(await countJobs(system.host.context.queues.send)).toBe(1);
  });

  it('cancels: a later answer is rejected as cancelled', async () => {
    const inbox = await openMailbox(system.stack, 'dave@corp.example');
    const { requestId } = await client.requestCompletion({
      taskId: 'T2',
      title: 'Second',
      assignees: [{ email: 'dave@corp.example' }],
    });
    const email = await readRequestEmail(await inbox.waitFor(() => true));
    expect(await client.cancel(requestId)).toBe('cancelled');
    await answerWithButton(system.stack.smtp, 'dave@corp.example', email.completeLink, 'ok\r\n');
    const items = await waitUntil('cancelled outcome', async () => {
      const { json } = await system.api('GET', `/v1/inbound?requestId=${requestId}`);
      return json.items?.length ? json.items : undefined;
    });
    expect(items[0]).toMatchObject({ outcome: 'rejected', reason: 'cancelled' });
    await inbox.close();
  });
});

function webhookCalls(): number {
  return system.webhook.received.length;
}
