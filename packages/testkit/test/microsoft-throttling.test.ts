import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startMicrosoftFake, type MicrosoftFake } from '../src/index';
import { sleep } from '../src/wait';

const MAILBOX = 'rc@contoso.test';
const LIST = `/users/${MAILBOX}/mailFolders/inbox/messages`;

let ms: MicrosoftFake;
let dispatcher: Agent;
let token: string;

async function get(
  path = LIST,
): Promise<{ status: number; retryAfter: string | null; code?: string }> {
  const response = await fetch(`${ms.graphBaseUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    dispatcher,
  });
  const body = (await response.json()) as { error?: { code: string } };
  return {
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    code: body.error?.code,
  };
}

beforeAll(async () => {
  ms = await startMicrosoftFake();
  ms.registerApp({ clientId: 'rc-app', secret: 'app-secret' });
  ms.mailbox(MAILBOX);
  ms.mailbox('other@contoso.test');
  dispatcher = new Agent({ connect: { ca: ms.caPem }, connections: 20 });
  token = ms.issueAppToken();
});

beforeEach(() => {
  ms.settings.graphLatencyMs = 0;
});

afterAll(async () => {
  await dispatcher?.close();
  await ms?.close();
});

describe('Graph fake throttling', () => {
  it('serves injected 429s with a fractional Retry-After and records a client that comes back early', async () => {
    ms.throttle({ count: 1, status: 429, retryAfterSeconds: 0.3 });
    const throttled = await get();
    expect(throttled).toMatchObject({ status: 429, retryAfter: '0.3', code: 'TooManyRequests' });
    const violationsBefore = ms.stats.graph.retryAfterViolations.length;
    // Too early: refused again, and counted as a violation.
    const early = await get();
    expect(early.status).toBe(429);
    expect(ms.stats.graph.retryAfterViolations.length).toBe(violationsBefore + 1);
    // The other mailbox is not inside the window.
    expect((await get('/users/other@contoso.test/mailFolders/inbox/messages')).status).toBe(200);
    await sleep(Number(early.retryAfter) * 1000 + 20);
    expect((await get()).status).toBe(200);
    expect(ms.stats.graph.retryAfterViolations.length).toBe(violationsBefore + 1);
  });

  it('serves 503 with and without Retry-After, and counts what it served', async () => {
    const before = { ...ms.stats.graph };
    ms.throttle({ count: 2, status: 503 });
    const first = await get();
    const second = await get();
    expect([first.status, second.status]).toEqual([503, 503]);
    expect(first.retryAfter).toBeNull();
    expect((await get()).status).toBe(200);
    ms.throttle({ count: 1, status: 503, retryAfterSeconds: 0.05 });
    expect((await get()).retryAfter).toBe('0.05');
    await sleep(70);
    expect(ms.stats.graph.unavailable).toBe(before.unavailable + 3);
  });

  it("enforces Outlook's four concurrent requests per mailbox with ApplicationThrottled", async () => {
    ms.settings.graphLatencyMs = 300;
    const results = await Promise.all(Array.from({ length: 6 }, () => get()));
    const refused = results.filter((r) => r.status === 429);
    expect(results.filter((r) => r.status === 200)).toHaveLength(4);
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ code: 'ApplicationThrottled' });
    expect(Number(refused[0]!.retryAfter)).toBeGreaterThan(0);
    expect(ms.stats.graph.maxConcurrent).toBe(4);
  });

  it('records every request with method, path and time', async () => {
    const since = Date.now();
    await sleep(1_050); // past the concurrency 429's Retry-After of the previous test
    await get(`/users/${MAILBOX}/mailFolders`);
    const mine = ms.stats.graph.requests.filter((r) => r.at >= since);
    expect(mine).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: `/v1.0/users/${MAILBOX}/mailFolders`,
        status: 200,
      }),
    ]);
  });
});
