import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicrosoftFake, type MicrosoftFake } from '../src/index';

const MAILBOX = 'rc@contoso.test';

let ms: MicrosoftFake;
let dispatcher: Agent;
let token: string;

beforeAll(async () => {
  ms = await startMicrosoftFake();
  ms.registerApp({ clientId: 'rc-app', secret: 'app-secret' });
  ms.mailbox(MAILBOX);
  dispatcher = new Agent({ connect: { ca: ms.caPem } });
  token = ms.issueAppToken();
});

afterAll(async () => {
  await dispatcher?.close();
  await ms?.close();
});

async function get(url: string, headers: Record<string, string> = {}) {
  const response = await fetch(url, {
    headers: { authorization: `Bearer ${token}`, ...headers },
    dispatcher,
  });
  return { status: response.status, body: (await response.json()) as any };
}

/** Follows nextLinks to the end of a round; returns what it saw and the deltaLink. */
async function round(url: string, headers: Record<string, string> = {}) {
  const items: any[] = [];
  let pages = 0;
  for (let next = url; ;) {
    const { status, body } = await get(next, headers);
    expect(status).toBe(200);
    pages++;
    items.push(...body.value);
    if (body['@odata.nextLink']) next = body['@odata.nextLink'];
    else return { items, pages, deltaLink: body['@odata.deltaLink'] as string };
  }
}

describe('Graph fake message delta', () => {
  it('lists the folder, then reports only arrivals and removals, in pages', async () => {
    const box = ms.mailbox(MAILBOX);
    for (let i = 0; i < 3; i++) box.put(`Subject: first-${i}\r\n\r\nx\r\n`);
    const prefer = { prefer: 'IdType="ImmutableId", odata.maxpagesize=2' };
    const start = `${ms.graphBaseUrl}/users/${MAILBOX}/mailFolders/inbox/messages/delta?$select=subject`;
    const first = await round(start, prefer);
    expect(first.items.map((m) => m.subject).sort()).toEqual(['first-0', 'first-1', 'first-2']);
    expect(first.pages).toBe(2);
    expect(first.items[0]).not.toHaveProperty('body');

    const arrived = box.put('Subject: later\r\n\r\nx\r\n');
    const leaving = box.list('inbox')[0]!;
    box.move(leaving.immutableId, 'archive');
    const second = await round(first.deltaLink, prefer);
    expect(second.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: arrived.immutableId, subject: 'later' }),
        expect.objectContaining({ id: leaving.immutableId, '@removed': { reason: 'deleted' } }),
      ]),
    );
    expect(second.items).toHaveLength(2);
    const third = await round(second.deltaLink, prefer);
    expect(third.items).toEqual([]);
  });

  it('answers an expired sync state with 410 SyncStateNotFound', async () => {
    const start = `${ms.graphBaseUrl}/users/${MAILBOX}/mailFolders/inbox/messages/delta`;
    const { deltaLink } = await round(start);
    ms.mailbox(MAILBOX).expireDeltaTokens();
    const expired = await get(deltaLink);
    expect(expired.status).toBe(410);
    expect(expired.body.error.code).toBe('SyncStateNotFound');
  });
});
