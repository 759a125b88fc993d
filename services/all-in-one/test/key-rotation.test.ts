import type { Host } from '@rc/runtime';
import {
  answerWithButton,
  createApiClient,
  openMailbox,
  readRequestEmail,
  sendTestMail,
  startBackends,
  startProduct,
  SYSTEM_DEFAULTS,
  systemEnv,
  waitUntil,
  type ApiCall,
  type Backends,
  type MailboxClient,
  type MailStack,
  type ReceivedRequestEmail,
  type RedisServer,
  type WebhookReceiver,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SERVICES } from '../src/index';

/**
 * RC_SIGNING_KEYS rotation on the real system: the same Redis, mailbox and queue prefix across
 * three deployments, as an operator would roll them out.
 *
 *   1. k1                 requests are signed with k1
 *   2. k2 (new), k1       new requests are signed with k2; k1 requests already sent still answer
 *   3. k2                 k1 is retired: its outstanding requests are rejected as bad_signature
 */

const OLD = `k1:${'1a'.repeat(24)}`;
const NEW = `k2:${'2b'.repeat(24)}`;

let backends: Backends;
let redis: RedisServer;
let stack: MailStack;
let engine: WebhookReceiver;
let host: Host | undefined;
/** the API of the deployment running now */
let api: ApiCall;
let prefix = '';
const inboxes: MailboxClient[] = [];

beforeAll(async () => {
  backends = await startBackends();
  ({ redis, stack, engine } = backends);
});
afterAll(async () => {
  await Promise.allSettled(inboxes.map((inbox) => inbox.close()));
  await host?.close();
  await backends?.stop();
});

/** Replaces the running deployment with one using `keys`; everything else stays the same. */
async function deploy(keys: string): Promise<void> {
  await host?.close();
  const env = systemEnv(
    { redisUrl: redis.url, stack, webhookUrl: engine.url },
    { RC_SIGNING_KEYS: keys, ...(prefix ? { RC_QUEUE_PREFIX: prefix } : {}) },
  );
  prefix = env.RC_QUEUE_PREFIX;
  host = await startProduct(ALL_SERVICES, env, 'key-rotation');
  api = createApiClient(`http://127.0.0.1:${host.http.port}`, env.RC_API_TOKEN);
}

async function requestCompletion(
  requestId: string,
  assignee: string,
): Promise<ReceivedRequestEmail> {
  const inbox = await openMailbox(stack, assignee);
  inboxes.push(inbox);
  const response = await api('POST', '/v1/completion-requests', {
    requestId,
    taskId: `T-${requestId}`,
    title: `Rotate ${requestId}`,
    assignees: [{ email: assignee }],
  });
  expect(response.status).toBe(202);
  return readRequestEmail(
    await inbox.waitFor(
      (raw) => raw.toString().toLowerCase().includes(`x-rc-request-id: ${requestId}`),
      15_000,
    ),
  );
}

async function outcomeOf(requestId: string) {
  return waitUntil(`outcome of ${requestId}`, async () => {
    const { json } = await api('GET', `/v1/inbound?requestId=${requestId}`);
    return json.items?.[0];
  });
}

async function outcomeFrom(sender: string, count: number) {
  return waitUntil(`${count} outcome(s) from ${sender}`, async () => {
    const { json } = await api('GET', `/v1/inbound?from=${sender}`);
    return json.items?.length >= count ? json.items : undefined;
  });
}

const heard = (requestId: string) =>
  engine.received.some((hook) => (hook.json as { requestId: string }).requestId === requestId);

describe('signing-key rotation', () => {
  const sent = new Map<string, ReceivedRequestEmail>();

  it('1. with k1 alone, requests are signed with k1', { timeout: 60_000 }, async () => {
    await deploy(OLD);
    sent.set('old-a', await requestCompletion('old-a', 'rot-a@corp.example'));
    sent.set('old-b', await requestCompletion('old-b', 'rot-b@corp.example'));
    for (const email of sent.values()) {
      expect(email.completeLink).toContain('rc-k1-c');
      expect(email.messageId).toMatch(/^<rc-k1-r/);
    }
  });

  it(
    '2. with k2 introduced first, new requests use k2 and k1 requests already sent still answer',
    { timeout: 60_000 },
    async () => {
      await deploy(`${NEW},${OLD}`);
      const fresh = await requestCompletion('new-c', 'rot-c@corp.example');
      expect(fresh.completeLink).toContain('rc-k2-c');
      expect(fresh.messageId).toMatch(/^<rc-k2-r/);
      sent.set('new-c', fresh);

      await answerWithButton(
        stack.smtp,
        'rot-a@corp.example',
        sent.get('old-a')!.completeLink,
        'Signed with the old key.\r\n',
      );
      await answerWithButton(
        stack.smtp,
        'rot-c@corp.example',
        fresh.failLink,
        'Signed with the new key.\r\n',
      );
      expect(await outcomeOf('old-a')).toMatchObject({ outcome: 'accepted', reason: null });
      expect(await outcomeOf('new-c')).toMatchObject({
        outcome: 'accepted',
        reason: null,
        action: 'fail',
      });
      await waitUntil('engine told of both', async () =>
        heard('old-a') && heard('new-c') ? true : undefined,
      );
    },
  );

  it(
    '3. with k1 removed, its outstanding requests are rejected as bad_signature; k2 ones still answer',
    { timeout: 60_000 },
    async () => {
      await deploy(NEW);
      // the button's token, and a plain reply whose only link to the request is the k1-signed Message-ID
      await answerWithButton(
        stack.smtp,
        'rot-b@corp.example',
        sent.get('old-b')!.completeLink,
        'Too late for k1.\r\n',
      );
      await sendTestMail(stack.smtp, {
        from: 'rot-b@corp.example',
        to: SYSTEM_DEFAULTS.mailbox,
        subject: `Re: ${sent.get('old-b')!.subject}`,
        text: 'Approve.\r\n',
        inReplyTo: sent.get('old-b')!.messageId,
        references: sent.get('old-b')!.messageId,
      });
      const records = await outcomeFrom('rot-b@corp.example', 2);
      expect(records.map((record: { reason: string }) => record.reason)).toEqual([
        'bad_signature',
        'bad_signature',
      ]);
      const state = await api('GET', '/v1/completion-requests/old-b');
      expect(state.json.status).toBe('pending');
      expect(heard('old-b')).toBe(false);

      const fresh = await requestCompletion('new-d', 'rot-d@corp.example');
      expect(fresh.completeLink).toContain('rc-k2-c');
      await answerWithButton(
        stack.smtp,
        'rot-d@corp.example',
        fresh.completeLink,
        'New key only.\r\n',
      );
      expect(await outcomeOf('new-d')).toMatchObject({ outcome: 'accepted' });
    },
  );
});
