import { ConfidentialClientApplication } from '@azure/msal-node';
import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicrosoftFake, trustingNetworkClient, type MicrosoftFake } from '../src/index';
import { waitUntil } from '../src/wait';

const MAILBOX = 'rc@contoso.test';
const ASSIGNEE = 'assignee@contoso.test';

let ms: MicrosoftFake;
let dispatcher: Agent;
let network: ReturnType<typeof trustingNetworkClient>;
let graph: Client;
let token: string;

function mime(subject: string, body = 'hello', to = MAILBOX): string {
  return [
    `From: someone@example.test`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${subject.replace(/\W/g, '')}@example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

async function raw(
  path: string,
  init: { method?: string; body?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(path.startsWith('https://') ? path : `${ms.graphBaseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token}`, ...init.headers },
    ...(init.body !== undefined ? { body: init.body } : {}),
    dispatcher,
  });
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers as unknown as Headers,
    body: text && /json/.test(response.headers.get('content-type') ?? '') ? JSON.parse(text) : text,
  };
}

beforeAll(async () => {
  ms = await startMicrosoftFake();
  ms.registerApp({ clientId: 'rc-app', secret: 'app-secret' });
  ms.mailbox(MAILBOX);
  ms.mailbox(ASSIGNEE);
  dispatcher = new Agent({ connect: { ca: ms.caPem } });
  network = trustingNetworkClient(ms.caPem);
  const cca = new ConfidentialClientApplication({
    auth: {
      clientId: 'rc-app',
      clientSecret: 'app-secret',
      authority: `${ms.authorityHost}/${ms.tenantId}`,
      knownAuthorities: [ms.authorityHostAndPort],
    },
    system: { networkClient: network },
  });
  const acquire = async (): Promise<string> =>
    (await cca.acquireTokenByClientCredential({
      scopes: ['https://graph.microsoft.com/.default'],
    }))!.accessToken;
  token = await acquire();
  graph = Client.initWithMiddleware({
    authProvider: { getAccessToken: acquire },
    baseUrl: new URL(ms.graphBaseUrl).origin,
    // The client attaches the bearer only to Graph hosts and these, compared without the port.
    customHosts: new Set(['127.0.0.1']),
    fetchOptions: { dispatcher } as Record<string, unknown>,
  });
});

afterAll(async () => {
  await network?.close();
  await dispatcher?.close();
  await ms?.close();
});

describe('Graph fake with @microsoft/microsoft-graph-client 3 (unmodified)', () => {
  it('lists a folder oldest first in pages, following @odata.nextLink whole, and serves $value', async () => {
    const base = Date.parse('2026-01-01T10:00:00Z');
    for (let i = 4; i >= 0; i--)
      ms.mailbox(MAILBOX).put(mime(`page-${i}`), new Date(base + i * 1000));
    const seen: string[] = [];
    let page = await graph
      .api(`/users/${MAILBOX}/mailFolders/inbox/messages`)
      .top(2)
      .select('id,subject,receivedDateTime')
      .orderby('receivedDateTime')
      .get();
    let pages = 1;
    for (;;) {
      seen.push(...page.value.map((m: { subject: string }) => m.subject));
      if (!page['@odata.nextLink']) break;
      expect(page['@odata.nextLink']).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0\//);
      page = await graph.api(page['@odata.nextLink']).get();
      pages++;
    }
    expect(seen).toEqual(['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    expect(pages).toBe(3);

    const first = ms.mailbox(MAILBOX).list('inbox')[0]!;
    const bytes: ArrayBuffer = await graph
      .api(`/users/${MAILBOX}/messages/${encodeURIComponent(first.id)}/$value`)
      .responseType(ResponseType.ARRAYBUFFER)
      .get();
    expect(Buffer.from(bytes).equals(first.raw)).toBe(true);
  });

  it('sends MIME (base64, text/plain) and JSON mail, records it and delivers it to fake mailboxes', async () => {
    const message = mime('request', 'please approve', ASSIGNEE);
    await graph
      .api(`/users/${MAILBOX}/sendMail`)
      .header('Content-Type', 'text/plain')
      .post(Buffer.from(message).toString('base64'));
    await graph.api(`/users/${MAILBOX}/sendMail`).post({
      message: {
        subject: 'json form',
        body: { contentType: 'Text', content: 'hi' },
        toRecipients: [{ emailAddress: { address: ASSIGNEE } }],
      },
      saveToSentItems: false,
    });
    await waitUntil('two sent mails', () => (ms.sentMail.length === 2 ? true : undefined), 2_000);
    expect(ms.sentMail[0]).toMatchObject({ from: MAILBOX, recipients: [ASSIGNEE], format: 'mime' });
    expect(ms.sentMail[0]!.raw.toString()).toBe(message);
    await waitUntil(
      'two delivered mails',
      () => (ms.mailbox(ASSIGNEE).list('inbox').length === 2 ? true : undefined),
      2_000,
    );
    expect(ms.mailbox(MAILBOX).list('sentitems')).toHaveLength(1);
  });

  it('refuses bad base64 and an oversized MIME message with Graph errors', async () => {
    const bad = await raw(`/users/${MAILBOX}/sendMail`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'not base64 at all!',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('ErrorMimeContentInvalidBase64String');
    const huge = Buffer.alloc(4 * 1024 * 1024, 'a').toString('base64');
    const tooLarge = await raw(`/users/${MAILBOX}/sendMail`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: huge,
    });
    expect(tooLarge.status).toBe(413);
  });

  it('moves with a new id, or the same id under Prefer: IdType="ImmutableId", and deletes (204)', async () => {
    const box = ms.mailbox(MAILBOX);
    const created = await raw(`/users/${MAILBOX}/mailFolders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Processed' }),
    });
    expect(created.status).toBe(201);
    const duplicate = await raw(`/users/${MAILBOX}/mailFolders`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ displayName: 'Processed' }),
    });
    expect(duplicate.body.error.code).toBe('ErrorFolderExists');
    const found = await raw(
      `/users/${MAILBOX}/mailFolders?$filter=${encodeURIComponent("displayName eq 'Processed'")}`,
    );
    expect(found.body.value.map((f: { id: string }) => f.id)).toEqual([created.body.id]);

    const plain = box.put(mime('move-plain'));
    const oldId = plain.id;
    const moved = await raw(`/users/${MAILBOX}/messages/${encodeURIComponent(oldId)}/move`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ destinationId: created.body.id }),
    });
    expect(moved.status).toBe(201);
    expect(moved.body.id).not.toBe(oldId);
    expect(moved.body.parentFolderId).toBe(created.body.id);

    const immutable = box.put(mime('move-immutable'));
    const prefer = { prefer: 'IdType="ImmutableId"' };
    const listed = await raw(`/users/${MAILBOX}/mailFolders/inbox/messages?$top=100`, {
      headers: prefer,
    });
    expect(listed.body.value.map((m: { id: string }) => m.id)).toContain(immutable.immutableId);
    const movedImmutable = await raw(
      `/users/${MAILBOX}/messages/${encodeURIComponent(immutable.immutableId)}/move`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...prefer },
        body: JSON.stringify({ destinationId: 'archive' }),
      },
    );
    expect(movedImmutable.body.id).toBe(immutable.immutableId);
    // Ids are case-sensitive: the same id in another case names nothing.
    const wrongCase = await raw(
      `/users/${MAILBOX}/messages/${encodeURIComponent(immutable.immutableId.toLowerCase())}`,
    );
    expect(wrongCase.status).toBe(404);

    const gone = box.put(mime('delete-me'));
    const deleted = await raw(`/users/${MAILBOX}/messages/${encodeURIComponent(gone.id)}`, {
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect(box.list('inbox').some((m) => m.immutableId === gone.immutableId)).toBe(false);
    expect(box.list('deleteditems').some((m) => m.immutableId === gone.immutableId)).toBe(true);
  });

  it('answers 401 without a token, with another audience, or after revocation', async () => {
    const anonymous = await fetch(`${ms.graphBaseUrl}/users/${MAILBOX}/mailFolders`, {
      dispatcher,
    });
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.code).toBe('InvalidAuthenticationToken');
    const outlookToken = ms.issueAccessToken(MAILBOX, { clientId: 'rc-app' });
    const wrongAudience = await fetch(`${ms.graphBaseUrl}/users/${MAILBOX}/mailFolders`, {
      headers: { authorization: `Bearer ${outlookToken}` },
      dispatcher,
    });
    expect(wrongAudience.status).toBe(401);
    await wrongAudience.arrayBuffer();
    ms.revokeAccessToken(token);
    expect((await raw(`/users/${MAILBOX}/mailFolders`)).status).toBe(401);
  });
});
