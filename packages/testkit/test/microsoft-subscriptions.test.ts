import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicrosoftFake, type MicrosoftFake } from '../src/index';
import { waitUntil } from '../src/wait';

const MAILBOX = 'rc@contoso.test';

let ms: MicrosoftFake;
let dispatcher: Agent;
let token: string;
let receiver: Server;
let receiverUrl: string;
const received: { path: string; body: any }[] = [];
/** how the receiver answers a validation request */
let validation: 'echo' | 'wrong' | 'json' = 'echo';

beforeAll(async () => {
  ms = await startMicrosoftFake();
  ms.registerApp({ clientId: 'rc-app', secret: 'app-secret' });
  ms.mailbox(MAILBOX);
  dispatcher = new Agent({ connect: { ca: ms.caPem } });
  receiver = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const token = url.searchParams.get('validationToken');
      if (token !== null) {
        const answer = validation === 'wrong' ? `${token}x` : token;
        res.writeHead(200, {
          'content-type': validation === 'json' ? 'application/json' : 'text/plain',
        });
        res.end(answer);
        return;
      }
      received.push({ path: url.pathname, body: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(202).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  token = ms.issueAppToken();
});

afterAll(async () => {
  await ms?.close();
  await dispatcher?.close();
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
});

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${ms.graphBaseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    dispatcher,
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}

function subscriptionBody(minutes = 60): Record<string, unknown> {
  return {
    changeType: 'created',
    notificationUrl: `${receiverUrl}/v1/graph/notifications`,
    lifecycleNotificationUrl: `${receiverUrl}/v1/graph/lifecycle`,
    resource: `/users/${MAILBOX}/mailFolders('inbox')/messages`,
    expirationDateTime: new Date(Date.now() + minutes * 60_000).toISOString(),
    clientState: 'secret-client-state',
  };
}

describe('Graph fake change notifications', () => {
  it('refuses a subscription whose endpoint fails the validation handshake', async () => {
    validation = 'wrong';
    const wrongEcho = await call('POST', '/subscriptions', subscriptionBody());
    validation = 'json';
    const wrongType = await call('POST', '/subscriptions', subscriptionBody());
    validation = 'echo';
    for (const refused of [wrongEcho, wrongType]) {
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe('ValidationError');
    }
    const tooLong = await call('POST', '/subscriptions', subscriptionBody(4231));
    expect(tooLong.status).toBe(400);
    expect(ms.subscriptions()).toHaveLength(0);
  });

  it('notifies new inbox messages with clientState and the (immutable) id, renews and deletes', async () => {
    const created = await call('POST', '/subscriptions', subscriptionBody(4229), {
      prefer: 'IdType="ImmutableId"',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      changeType: 'created',
      clientState: 'secret-client-state',
    });
    const id = created.body.id as string;

    const message = ms.mailbox(MAILBOX).put('Subject: hi\r\n\r\nbody\r\n');
    ms.mailbox(MAILBOX).put('Subject: elsewhere\r\n\r\nbody\r\n', new Date(), 'archive');
    const notification = await waitUntil(
      'a notification',
      () => received.find((r) => r.path === '/v1/graph/notifications'),
      5_000,
    );
    expect(notification.body.value).toHaveLength(1);
    expect(notification.body.value[0]).toMatchObject({
      subscriptionId: id,
      clientState: 'secret-client-state',
      changeType: 'created',
      tenantId: ms.tenantId,
      resourceData: { '@odata.type': '#Microsoft.Graph.Message', id: message.immutableId },
    });
    expect(ms.notifications.at(-1)).toMatchObject({ kind: 'change', status: 202 });

    const renewed = await call('PATCH', `/subscriptions/${id}`, {
      expirationDateTime: new Date(Date.now() + 120 * 60_000).toISOString(),
    });
    expect(renewed.status).toBe(200);
    ms.lifecycle('reauthorizationRequired', id);
    const lifecycle = await waitUntil(
      'a lifecycle event',
      () => received.find((r) => r.path === '/v1/graph/lifecycle'),
      5_000,
    );
    expect(lifecycle.body.value[0]).toMatchObject({
      subscriptionId: id,
      lifecycleEvent: 'reauthorizationRequired',
    });
    expect((await call('DELETE', `/subscriptions/${id}`)).status).toBe(204);
    expect((await call('GET', `/subscriptions/${id}`)).status).toBe(404);
  });

  it('drops subscriptions silently or with subscriptionRemoved', async () => {
    const first = await call('POST', '/subscriptions', subscriptionBody());
    ms.dropSubscription(first.body.id);
    expect((await call('GET', '/subscriptions')).body.value).toHaveLength(0);
    const second = await call('POST', '/subscriptions', subscriptionBody());
    received.length = 0;
    ms.lifecycle('subscriptionRemoved');
    const removed = await waitUntil('subscriptionRemoved', () => received[0], 5_000);
    expect(removed.body.value[0]).toMatchObject({
      subscriptionId: second.body.id,
      lifecycleEvent: 'subscriptionRemoved',
    });
    expect(ms.subscriptions()).toHaveLength(0);
  });
});
