import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGraphClient, graphPath, type GraphRequestEvent } from '../src/graph-http';
import { createGraphTokenSource } from '../src/graph-token';
import { createTlsFetch } from '../src/tls-fetch';
import type { GraphSettings } from '@rc/runtime';
import { waitUntil, startMicrosoftFake, type MicrosoftFake } from '@rc/testkit';

let ms: MicrosoftFake;
const clientId = randomUUID();
const secret = 'app-secret-value~1234567890';

beforeAll(async () => {
  ms = await startMicrosoftFake();
  ms.registerApp({ clientId, secret });
});
afterAll(() => ms?.close());

function settings(user: string, overrides: Partial<GraphSettings> = {}): GraphSettings {
  return {
    tenantId: ms.tenantId,
    clientId,
    clientSecret: secret,
    user,
    folder: 'inbox',
    baseUrl: ms.graphBaseUrl,
    authorityHost: ms.authorityHost,
    ...overrides,
  };
}

/** A fresh mailbox per test: the limiter (and any pause) belongs to the mailbox. */
function mailboxWithMessages(count: number) {
  const user = `rc-${randomUUID().slice(0, 8)}@contoso.test`;
  const box = ms.mailbox(user);
  for (let i = 0; i < count; i++) {
    box.put(`From: a@corp.example\r\nTo: ${user}\r\nSubject: m${i}\r\n\r\nbody ${i}\r\n`);
  }
  return { user, box };
}

function clientFor(user: string, extra: Partial<Parameters<typeof createGraphClient>[0]> = {}) {
  const tokens = createGraphTokenSource(settings(user), { tlsCaFile: ms.caFile });
  const client = createGraphClient({
    baseUrl: ms.graphBaseUrl,
    mailbox: user,
    tokens,
    tlsCaFile: ms.caFile,
    backoff: { baseMs: 20, capMs: 100 },
    ...extra,
  });
  return { client, tokens };
}

const listPath = (user: string) => graphPath`/users/${user}/mailFolders/inbox/messages`;

describe('Graph app token', () => {
  it('is fetched once and reused across many calls', async () => {
    const before = ms.stats.tokensIssued.client_credentials;
    const { user } = mailboxWithMessages(1);
    const { client } = clientFor(user);
    await Promise.all(Array.from({ length: 12 }, () => client.getJson(listPath(user))));
    for (let i = 0; i < 5; i++) await client.getJson(listPath(user));
    expect(ms.stats.tokensIssued.client_credentials - before).toBe(1);
  });

  it('a revoked token (401) is renewed exactly once and the call succeeds', async () => {
    const { user } = mailboxWithMessages(1);
    const { client, tokens } = clientFor(user);
    await client.getJson(listPath(user));
    ms.revokeAccessToken(await tokens.getToken());
    const before = ms.stats.tokensIssued.client_credentials;
    const page = await client.getJson<{ value: unknown[] }>(listPath(user));
    expect(page.value).toHaveLength(1);
    expect(ms.stats.tokensIssued.client_credentials - before).toBe(1);
  });

  it('signs in with a certificate instead of a secret', async () => {
    const certificate = await ms.createAppCertificate('rc-app');
    const certClientId = randomUUID();
    ms.registerApp({ clientId: certClientId, certificatePem: certificate.pem });
    const tokens = createGraphTokenSource(
      settings('x@contoso.test', {
        clientId: certClientId,
        clientSecret: undefined,
        certificatePem: certificate.pem,
      }),
      { tlsCaFile: ms.caFile },
    );
    expect(await tokens.getToken()).toMatch(/^ey/);
  });

  it('a wrong secret fails with AUTH_FAILED, the AADSTS code and the fix, never the secret', async () => {
    const tokens = createGraphTokenSource(
      settings('x@contoso.test', { clientSecret: 'not-the-secret-value' }),
      { tlsCaFile: ms.caFile },
    );
    const error = await tokens.getToken().catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'AUTH_FAILED' });
    expect((error as Error).message).toMatch(/AADSTS7000215.*secret VALUE/);
    expect((error as Error).message).not.toContain('not-the-secret-value');
  });

  it('derives the scope from the Graph base URL (national clouds)', () => {
    const tokens = createGraphTokenSource(
      settings('x@contoso.test', {
        baseUrl: 'https://graph.microsoft.us/v1.0',
        authorityHost: 'https://login.microsoftonline.us',
      }),
    );
    expect(tokens.scope).toBe('https://graph.microsoft.us/.default');
  });
});

describe('Graph requests for one mailbox', () => {
  it('never has more than 4 in flight under 20 concurrent callers', async () => {
    const { user } = mailboxWithMessages(1);
    const { client } = clientFor(user);
    await client.getJson(listPath(user)); // token first, so the burst measures Graph only
    const throttledBefore = ms.stats.graph.throttled;
    ms.settings.graphLatencyMs = 60;
    try {
      await Promise.all(Array.from({ length: 20 }, () => client.getJson(listPath(user))));
    } finally {
      ms.settings.graphLatencyMs = 0;
    }
    // The fake admits 4 per mailbox and answers 429 beyond: 4 reached, never exceeded.
    expect(ms.stats.graph.maxConcurrent).toBe(4);
    expect(ms.stats.graph.throttled - throttledBefore).toBe(0); // the fake's own 4-limit never hit
  });

  it('honours Retry-After for the whole mailbox: queued and later calls wait it out', async () => {
    const { user, box } = mailboxWithMessages(3);
    const [first] = box.list();
    const events: GraphRequestEvent[] = [];
    let throttledAt = 0;
    const later: Promise<unknown>[] = [];
    const { client } = clientFor(user, {
      onRequest: (event) => {
        events.push(event);
        if (event.status === 429 && !throttledAt) {
          throttledAt = Date.now();
          // Calls started after the 429 arrived.
          for (let i = 0; i < 4; i++) later.push(client.getJson(listPath(user)));
        }
      },
    });
    await client.getJson(listPath(user));
    const violationsBefore = ms.stats.graph.retryAfterViolations.length;
    ms.settings.graphLatencyMs = 150;
    ms.throttle({
      count: 1,
      status: 429,
      retryAfterSeconds: 0.6,
      path: new RegExp(`/messages/${escape(encodeURIComponent(first!.immutableId))}/\\$value$`),
    });
    try {
      // Three slow calls occupy the fake, the fourth gets the 429, ten more queue behind them.
      const arrived = () => ms.stats.graph.requests.filter((r) => r.mailbox === user).length;
      const before = arrived();
      const slow = Array.from({ length: 3 }, () => client.getJson(listPath(user)));
      await waitUntil(
        '3 slow calls at the fake',
        () => arrived() === before + 3 || undefined,
        2000,
        5,
      );
      const throttled = client.getBytes(
        graphPath`/users/${user}/messages/${first!.immutableId}/$value`,
      );
      const queued = Array.from({ length: 10 }, () => client.getJson(listPath(user)));
      await Promise.all([...slow, throttled, ...queued]);
      await Promise.all(later);
    } finally {
      ms.settings.graphLatencyMs = 0;
    }
    expect(throttledAt).toBeGreaterThan(0);
    expect(ms.stats.graph.retryAfterViolations.length).toBe(violationsBefore);
    const startedAfter = events.filter((e) => e.status !== 429).length;
    expect(startedAfter).toBe(1 + 3 + 1 + 10 + 4);
    const windowEnd = throttledAt + 600 - 5;
    const requestsAfterThrottle = ms.stats.graph.requests.filter(
      (r) => r.mailbox === user && r.at > throttledAt,
    );
    for (const request of requestsAfterThrottle)
      expect(request.at).toBeGreaterThanOrEqual(windowEnd - 20);
  });

  it('backs off without Retry-After, and after bounded retries hands back PROVIDER_THROTTLED with retryAfterMs', async () => {
    const { user } = mailboxWithMessages(1);
    const { client } = clientFor(user, { maxAttempts: 3 });
    await client.getJson(listPath(user));
    ms.throttle({ count: 2, status: 503, retryAfterSeconds: null });
    expect((await client.getJson<{ value: unknown[] }>(listPath(user))).value).toHaveLength(1);

    ms.throttle({ count: 3, status: 429, retryAfterSeconds: 0.2 });
    const error = await client.getJson(listPath(user)).catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'PROVIDER_THROTTLED' });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(100);
    await new Promise((resolve) => setTimeout(resolve, 250));
  });

  it('a pause longer than maxWaitMs is handed to the caller at once', async () => {
    const { user } = mailboxWithMessages(1);
    const { client } = clientFor(user, { maxWaitMs: 100 });
    await client.getJson(listPath(user));
    ms.throttle({ count: 1, status: 429, retryAfterSeconds: 1.5 });
    const started = Date.now();
    const error = await client.getJson(listPath(user)).catch((e: Error) => e);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error).toMatchObject({ code: 'PROVIDER_THROTTLED' });
    expect((error as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(1000);
    const again = await client.getJson(listPath(user)).catch((e: Error) => e);
    expect(again).toMatchObject({ code: 'PROVIDER_THROTTLED' }); // still paused: no request sent
  });

  it('follows @odata.nextLink whole, downloads $value bytes and deletes (204)', async () => {
    const { user, box } = mailboxWithMessages(5);
    const { client } = clientFor(user);
    const ids: string[] = [];
    let pages = 0;
    for await (const page of client.pages<{ id: string }>(
      `${listPath(user)}?$top=2&$select=id,receivedDateTime&$orderby=receivedDateTime`,
    )) {
      pages++;
      ids.push(...page.value.map((m) => m.id));
    }
    expect(pages).toBe(3);
    expect(new Set(ids).size).toBe(5);
    // Prefer: IdType="ImmutableId" went with every call: the ids are the immutable ones.
    expect(ids.sort()).toEqual(
      box
        .list()
        .map((m) => m.immutableId)
        .sort(),
    );
    const stored = box.list().find((m) => m.immutableId === ids[0])!;
    const raw = await client.getBytes(graphPath`/users/${user}/messages/${ids[0]!}/$value`);
    expect(raw.toString('utf8')).toBe(Buffer.from(stored.raw).toString('utf8'));
    const deleted = await client.request({
      method: 'DELETE',
      path: graphPath`/users/${user}/messages/${ids[0]!}`,
    });
    expect(deleted).toMatchObject({ status: 204, body: undefined });
    expect(box.list()).toHaveLength(4);
    // Graph's DELETE moves to Deleted Items; a second one removes it for good.
    await client.request({ method: 'DELETE', path: graphPath`/users/${user}/messages/${ids[0]!}` });
    const missing = await client
      .getBytes(graphPath`/users/${user}/messages/${ids[0]!}/$value`)
      .catch((e: Error) => e);
    expect(missing).toMatchObject({ code: 'MAILBOX_UNAVAILABLE', status: 404 });
  });

  it('never sends the token outside the Graph origin, and traces without it', async () => {
    const { user } = mailboxWithMessages(1);
    const lines: string[] = [];
    const { client, tokens } = clientFor(user, {
      trace: { info: (fields, message) => lines.push(JSON.stringify({ fields, message })) },
    });
    await client.getJson(listPath(user));
    const error = await client.getJson('https://127.0.0.1:1/v1.0/users').catch((e: Error) => e);
    expect(error).toMatchObject({ code: 'MAILBOX_UNAVAILABLE' });
    expect(lines.length).toBeGreaterThan(0);
    const token = await tokens.getToken();
    for (const line of lines) {
      expect(line).not.toContain(token);
      expect(line).not.toMatch(/bearer|authorization/i);
    }
    expect(lines[0]).toContain('/messages');
  });
  it('sends MIME by sendMail (202, no body) and names a request too large MAIL_TOO_LARGE', async () => {
    const { user } = mailboxWithMessages(0);
    const { client } = clientFor(user);
    const mime = `From: ${user}\r\nTo: alice@corp.example\r\nSubject: hi\r\n\r\nhello\r\n`;
    const sentBefore = ms.sentMail.length;
    const sent = await client.request({
      method: 'POST',
      path: graphPath`/users/${user}/sendMail`,
      body: Buffer.from(mime).toString('base64'),
      contentType: 'text/plain',
      failureCode: 'MAIL_SEND_FAILED',
    });
    expect(sent).toMatchObject({ status: 202, body: undefined });
    expect(ms.sentMail.length).toBe(sentBefore + 1);
    expect(ms.sentMail.at(-1)!.raw.toString('utf8')).toBe(mime);

    const tooLarge = await client
      .request({
        method: 'POST',
        path: graphPath`/users/${user}/sendMail`,
        body: 'A'.repeat(4 * 1024 * 1024 + 4),
        contentType: 'text/plain',
        failureCode: 'MAIL_SEND_FAILED',
      })
      .catch((e: Error) => e);
    expect(tooLarge).toMatchObject({ code: 'MAIL_TOO_LARGE', status: 413 });
    const badBase64 = await client
      .request({
        method: 'POST',
        path: graphPath`/users/${user}/sendMail`,
        body: '***',
        contentType: 'text/plain',
        failureCode: 'MAIL_SEND_FAILED',
      })
      .catch((e: Error) => e);
    expect(badBase64).toMatchObject({
      code: 'MAIL_SEND_FAILED',
      graphCode: 'ErrorMimeContentInvalidBase64String',
    });
  });
});

describe('TLS and the authority', () => {
  it('trusts RC_TLS_CA_FILE besides the public roots, and only with it', async () => {
    const withCa = await createTlsFetch(ms.caFile)(
      `${ms.authorityHost}/${ms.tenantId}/v2.0/.well-known/openid-configuration`,
    );
    expect(withCa.status).toBe(200);
    await expect(
      createTlsFetch()(`${ms.authorityHost}/${ms.tenantId}/v2.0/.well-known/openid-configuration`),
    ).rejects.toThrow();
  });

  it('msal talks only to the configured authority: no instance discovery elsewhere', async () => {
    const urls: string[] = [];
    const caFetch = createTlsFetch(ms.caFile);
    const tokens = createGraphTokenSource(settings('x@contoso.test'), {
      fetch: (input, init) => {
        urls.push(String(input));
        return caFetch(input, init);
      },
    });
    await tokens.getToken();
    await tokens.getToken();
    expect(urls.length).toBeGreaterThan(0);
    for (const url of urls) expect(url.startsWith(`${ms.authorityHost}/`)).toBe(true);
    expect(urls.some((url) => url.includes('discovery/instance'))).toBe(false);
    expect(urls.filter((url) => new URL(url).pathname.endsWith('/oauth2/v2.0/token'))).toHaveLength(
      1,
    );
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
