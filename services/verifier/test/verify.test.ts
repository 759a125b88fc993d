import { sendNoticeJobSchema } from '@rc/contracts';
import { extendActionVocabulary, parseInboundMessage } from '@rc/mail';
import {
  dkimRecord,
  dkimWorld,
  ed25519Key,
  rsaKey,
  startRedis,
  type RedisServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkTrustedDmarc, parseAuthenticationResults } from '../src/dmarc';
import { cachedResolver } from '../src/dns-cache';
import { RejectionNotices } from '../src/notices';
import { respondedAt, TemporaryVerifyError, verifyInbound } from '../src/process';
import { SenderRateLimiter } from '../src/rate-limit';
import {
  AUTHSERV_ID,
  buttonAnswer,
  createHarness,
  inboundJob,
  MAILBOX,
  type DepsOverrides,
  type Harness,
} from './harness';

/**
 * verifyInbound on a real Redis with the real store, inbound log and queues: sender identity,
 * DMARC and DKIM enforcement, the per-sender rate limit and rejection notices. End-to-end
 * proof on real mail servers is in services/all-in-one/test/attack-suite.test.ts.
 */

let server: RedisServer;
let h: Harness;

beforeAll(async () => {
  server = await startRedis();
  h = await createHarness(server);
});
afterAll(async () => {
  await h?.close();
  await server?.stop();
});

const dmarcPass = (domain = 'corp.example') =>
  `Authentication-Results: ${AUTHSERV_ID}; spf=pass smtp.mailfrom=${domain}; dkim=pass header.d=${domain}; dmarc=pass (p=reject dis=none) header.from=${domain}`;

describe('who sent it: From only, normalised', () => {
  it('accepts the assignee, case-insensitively, and ignores Reply-To and Sender', async () => {
    const { request, tokens } = await h.request([
      { email: 'alice@corp.example', name: 'Alice Assignee' },
    ]);
    const raw = buttonAnswer({
      from: '"The CFO" <ALICE@Corp.Example>',
      token: tokens.get('alice@corp.example')!.complete,
      headers: ['Reply-To: mallory@evil.example', 'Sender: mallory@evil.example'],
    });
    const record = await verifyInbound(inboundJob(raw), h.deps());
    expect(record).toMatchObject({
      outcome: 'accepted',
      from: 'alice@corp.example',
      requestId: request.requestId,
    });
    const update = (await h.updates()).find((job) => job.requestId === request.requestId);
    // the engine hears the name the engine gave, never the display name the sender chose
    expect(update?.actor).toEqual({ email: 'alice@corp.example', name: 'Alice Assignee' });
  });

  it('a Reply-To or Sender naming the assignee does not make mallory the assignee', async () => {
    const { tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const raw = buttonAnswer({
      from: 'mallory@corp.example',
      token: tokens.get('alice@corp.example')!.complete,
      headers: ['Reply-To: alice@corp.example', 'Sender: alice@corp.example'],
    });
    expect(await verifyInbound(inboundJob(raw), h.deps())).toMatchObject({
      outcome: 'rejected',
      reason: 'sender_mismatch',
      from: 'mallory@corp.example',
    });
  });

  it.each([
    [
      'quoted address as display name',
      '"alice@corp.example" <mallory@evil.example>',
      'not_whitelisted',
    ],
    [
      'bare address as display name',
      'alice@corp.example <mallory@evil.example>',
      'not_whitelisted',
    ],
    [
      'encoded-word display name',
      '=?utf-8?q?alice=40corp.example?= <mallory@evil.example>',
      'not_whitelisted',
    ],
    ['comment naming the assignee', 'mallory@evil.example (alice@corp.example)', 'not_whitelisted'],
    [
      'display name inside the whitelisted domain',
      '"alice@corp.example" <mallory@corp.example>',
      'sender_mismatch',
    ],
    ['two From mailboxes', 'alice@corp.example, mallory@evil.example', 'malformed'],
    ['lookalike domain with a hyphen', 'alice@corp-example.com', 'not_whitelisted'],
    ['lookalike domain with a digit', 'alice@corp.examp1e', 'not_whitelisted'],
    ['Cyrillic a in the domain', 'alice@corp.ex\u0430mple', 'not_whitelisted'],
    ['Cyrillic a in the local part', '\u0430lice@corp.example', 'sender_mismatch'],
    ['suffix trick', 'alice@corp.example.evil.example', 'not_whitelisted'],
    ['second @', 'alice@corp.example@evil.example', 'not_whitelisted'],
  ])('display-name and lookalike trick: %s', async (_name, from, reason) => {
    const { request, tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const raw = buttonAnswer({ from, token: tokens.get('alice@corp.example')!.complete });
    expect(await verifyInbound(inboundJob(raw), h.deps())).toMatchObject({
      outcome: 'rejected',
      reason,
    });
    expect((await h.store.get(request.requestId))?.status).toBe('pending');
  });

  it('a second From field is malformed, not the first or the last', async () => {
    const { tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const raw = buttonAnswer({
      from: 'alice@corp.example',
      token: tokens.get('alice@corp.example')!.complete,
      headers: ['From: mallory@corp.example'],
    });
    expect(await verifyInbound(inboundJob(raw), h.deps())).toMatchObject({
      outcome: 'rejected',
      reason: 'malformed',
    });
  });

  it('an IDN assignee answers from the punycode form of the address, and the other way round', async () => {
    const { request, tokens } = await h.request([
      { email: 'alice@bücher.example' },
      { email: 'bob@xn--bcher-kva.example' },
    ]);
    const alice = buttonAnswer({
      from: 'alice@xn--bcher-kva.example',
      token: tokens.get('alice@bücher.example')!.fail,
    });
    expect(await verifyInbound(inboundJob(alice), h.deps())).toMatchObject({
      outcome: 'accepted',
      from: 'alice@xn--bcher-kva.example',
      requestId: request.requestId,
    });
    const second = await h.request([{ email: 'bob@xn--bcher-kva.example' }]);
    const bob = buttonAnswer({
      from: 'Bob <bob@BÜCHER.example>',
      token: second.tokens.get('bob@xn--bcher-kva.example')!.complete,
    });
    expect(await verifyInbound(inboundJob(bob), h.deps())).toMatchObject({
      outcome: 'accepted',
      from: 'bob@xn--bcher-kva.example',
    });
  });

  it('the whitelist takes exact domains, and subdomains only by an explicit *. pattern', async () => {
    const deps = h.deps({
      settings: { whitelist: { enabled: true, domains: ['corp.example', '*.eu.corp.example'] } },
    });
    for (const [from, reason] of [
      ['x@sub.corp.example', 'not_whitelisted'],
      ['x@evilcorp.example', 'not_whitelisted'],
      ['x@eu.corp.example', 'not_whitelisted'],
      ['x@de.eu.corp.example', 'no_token'],
      ['x@corp.example', 'no_token'],
    ] as const) {
      expect(
        await verifyInbound(inboundJob(buttonAnswer({ from, body: 'hello' })), deps),
        from,
      ).toMatchObject({ reason });
    }
  });

  it('an answer that reached the mailbox before expiry counts even if verified later; one after does not', async () => {
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { tokens } = await h.request([{ email: 'alice@corp.example' }], { expiresAt });
    const token = tokens.get('alice@corp.example')!.complete;
    const late = { now: () => new Date(Date.now() + 120_000) };
    const received = await verifyInbound(
      inboundJob(buttonAnswer({ from: 'alice@corp.example', token }), {
        receivedAt: new Date().toISOString(),
      }),
      h.deps(late),
    );
    expect(received.outcome).toBe('accepted');
    const next = await h.request([{ email: 'alice@corp.example' }], { expiresAt });
    const job = inboundJob(
      buttonAnswer({
        from: 'alice@corp.example',
        token: next.tokens.get('alice@corp.example')!.complete,
      }),
      {
        receivedAt: new Date(Date.now() + 90_000).toISOString(),
      },
    );
    expect(await verifyInbound(job, h.deps(late))).toMatchObject({
      outcome: 'rejected',
      reason: 'expired',
    });
  });

  it('an oversize message is not parsed whole, yet its sender and subject are on record', async () => {
    const raw = buttonAnswer({
      from: 'alice@corp.example',
      subject: 'Big one',
      body: 'x'.repeat(10_000),
    });
    const record = await verifyInbound(
      inboundJob(raw),
      h.deps({ settings: { maxMessageBytes: 4096 } }),
    );
    expect(record).toMatchObject({
      outcome: 'rejected',
      reason: 'too_large',
      from: 'alice@corp.example',
      subject: 'Big one',
    });
    const headerOnly = raw.slice(0, raw.indexOf('\r\n\r\n') + 4);
    const truncated = await verifyInbound(
      inboundJob(headerOnly, { size: raw.length, truncated: true }),
      h.deps(),
    );
    expect(truncated).toMatchObject({ reason: 'too_large', from: 'alice@corp.example' });
  });
});

describe('DMARC from the trusted Authentication-Results (RC_REQUIRE_DMARC)', () => {
  const dmarcDeps = () =>
    h.deps({ settings: { requireDmarc: true, trustedAuthservId: AUTHSERV_ID } });

  it('accepts dmarc=pass for the From domain from our own MTA', async () => {
    const { tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const raw = buttonAnswer({
      from: 'alice@corp.example',
      token: tokens.get('alice@corp.example')!.complete,
      headers: [dmarcPass()],
    });
    expect(await verifyInbound(inboundJob(raw), dmarcDeps())).toMatchObject({
      outcome: 'accepted',
    });
  });

  it.each([
    ['no Authentication-Results', [], 'no Authentication-Results from mx.rc.example'],
    [
      'a pass stamped by someone else',
      [dmarcPass().replace(AUTHSERV_ID, 'mx.evil.example')],
      'no Authentication-Results from',
    ],
    ['dmarc=fail', [dmarcPass().replace('dmarc=pass', 'dmarc=fail')], 'dmarc=fail'],
    [
      'dmarc=none',
      [`Authentication-Results: ${AUTHSERV_ID}; dmarc=none header.from=corp.example`],
      'dmarc=none',
    ],
    [
      'no dmarc method',
      [`Authentication-Results: ${AUTHSERV_ID}; spf=pass smtp.mailfrom=corp.example`],
      'no dmarc result',
    ],
    ['pass for another domain (parser differential)', [dmarcPass('evil.example')], 'but From is'],
    [
      'pass without header.from',
      [`Authentication-Results: ${AUTHSERV_ID}; dmarc=pass`],
      'without header.from',
    ],
    [
      "a forged pass below our MTA's fail (topmost wins)",
      [dmarcPass().replace('dmarc=pass', 'dmarc=fail'), dmarcPass()],
      'dmarc=fail',
    ],
    [
      'dmarc=pass only inside a comment',
      [`Authentication-Results: ${AUTHSERV_ID}; dmarc=fail (dmarc=pass) header.from=corp.example`],
      'dmarc=fail',
    ],
  ])('rejects %s as dmarc_fail', async (_name, headers, detail) => {
    const { request, tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const raw = buttonAnswer({
      from: 'alice@corp.example',
      token: tokens.get('alice@corp.example')!.complete,
      headers,
    });
    const record = await verifyInbound(inboundJob(raw), dmarcDeps());
    expect(record).toMatchObject({ outcome: 'rejected', reason: 'dmarc_fail' });
    expect(record.detail).toContain(detail);
    expect((await h.store.get(request.requestId))?.status).toBe('pending');
  });

  it('parses RFC 8601 results with versions, comments, quoted values and IDN domains', async () => {
    expect(
      parseAuthenticationResults(
        'mx.example 1; (comment (nested)) dmarc=pass (p=none) header.from="corp.example"; dkim=pass header.d=corp.example',
      ),
    ).toEqual({
      authservId: 'mx.example',
      methods: [
        { method: 'dmarc', result: 'pass', properties: new Map([['header.from', 'corp.example']]) },
        { method: 'dkim', result: 'pass', properties: new Map([['header.d', 'corp.example']]) },
      ],
    });
    expect(parseAuthenticationResults('')).toBeNull();
    const parsed = await parseInboundMessage(
      Buffer.from(
        'Authentication-Results: MX.RC.EXAMPLE; dmarc=pass header.from=bücher.example\r\nFrom: a@xn--bcher-kva.example\r\n\r\nx',
      ),
    );
    if (!parsed.ok) expect.fail(parsed.detail);
    expect(checkTrustedDmarc(parsed.message, AUTHSERV_ID, 'a@xn--bcher-kva.example').pass).toBe(
      true,
    );
  });
});

describe('our own DKIM verification (RC_VERIFY_DKIM, mailauth, stub DNS)', () => {
  const world = dkimWorld();
  const rsa = rsaKey();
  const ed = ed25519Key();
  const evil = rsaKey();
  const weak = rsaKey(512);
  world.publish('rsa1._domainkey.corp.example', dkimRecord(rsa.publicKey));
  world.publish('ed1._domainkey.corp.example', dkimRecord(ed.publicKey));
  world.publish('weak._domainkey.corp.example', dkimRecord(weak.publicKey));
  world.publish('s1._domainkey.evil.example', dkimRecord(evil.publicKey));
  const dkimDeps = () => h.deps({ settings: { verifyDkim: true }, dnsResolver: world.resolver });

  async function answer(
    sign: (raw: string) => Promise<string>,
    options: { from?: string; tamper?: (raw: string) => string; reply?: boolean } = {},
  ) {
    const { request, tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const token = tokens.get('alice@corp.example')!;
    const raw = options.reply
      ? buttonAnswer({
          from: options.from ?? 'alice@corp.example',
          subject: 'Re: Approve deploy',
          body: 'Approve.\r\n',
          headers: [`In-Reply-To: ${token.messageId}`],
        })
      : buttonAnswer({ from: options.from ?? 'alice@corp.example', token: token.complete });
    const signed = await sign(raw);
    return {
      request,
      record: await verifyInbound(
        inboundJob(options.tamper ? options.tamper(signed) : signed),
        dkimDeps(),
      ),
    };
  }

  it.each([
    ['RSA-SHA256', rsa.privateKey, 'rsa1'],
    ['Ed25519-SHA256 (RFC 8463)', ed.privateKey, 'ed1'],
  ])('accepts an aligned %s signature', async (_name, key, selector) => {
    const { record } = await answer((raw) =>
      world.sign(raw, { domain: 'corp.example', selector, key }),
    );
    expect(record).toMatchObject({ outcome: 'accepted' });
  });

  it('accepts a plain reply whose In-Reply-To is signed', async () => {
    const { record } = await answer(
      (raw) => world.sign(raw, { domain: 'corp.example', selector: 'rsa1', key: rsa.privateKey }),
      { reply: true },
    );
    expect(record).toMatchObject({ outcome: 'accepted' });
  });

  it.each([
    ['an unsigned answer', async (raw: string) => raw, undefined, 'no DKIM signature'],
    [
      'a signature by another domain (not aligned)',
      (raw: string) =>
        world.sign(raw, { domain: 'evil.example', selector: 's1', key: evil.privateKey }),
      undefined,
      'not aligned',
    ],
    [
      'a key not in DNS',
      (raw: string) =>
        world.sign(raw, { domain: 'corp.example', selector: 'nokey', key: rsa.privateKey }),
      undefined,
      'no key',
    ],
    [
      'a forged signature (wrong private key)',
      (raw: string) =>
        world.sign(raw, { domain: 'corp.example', selector: 'rsa1', key: evil.privateKey }),
      undefined,
      'fail',
    ],
    [
      'an RSA key under 1024 bits (RFC 8301)',
      (raw: string) =>
        world.sign(raw, { domain: 'corp.example', selector: 'weak', key: weak.privateKey }),
      undefined,
      'policy',
    ],
    [
      'a body changed after signing',
      (raw: string) =>
        world.sign(raw, { domain: 'corp.example', selector: 'rsa1', key: rsa.privateKey }),
      (raw: string) => raw.replace('Looks good.', 'Looks bad.'),
      'body hash',
    ],
    [
      'a subject token the signature does not cover',
      (raw: string) =>
        world.sign(raw, {
          domain: 'corp.example',
          selector: 'rsa1',
          key: rsa.privateKey,
          headerList: ['from', 'to', 'date', 'message-id'],
        }),
      undefined,
      'does not sign subject',
    ],
    [
      'a body signed only in part (l=)',
      (raw: string) =>
        world.sign(raw, {
          domain: 'corp.example',
          selector: 'rsa1',
          key: rsa.privateKey,
          maxBodyLength: 5,
        }),
      undefined,
      'part of the body',
    ],
    [
      'a second, unsigned Subject added on top',
      (raw: string) =>
        world.sign(raw, { domain: 'corp.example', selector: 'rsa1', key: rsa.privateKey }),
      (raw: string) => `Subject: Fail: Approve deploy\r\n${raw}`,
      'more than one subject',
    ],
  ])('rejects %s as dmarc_fail', async (_name, sign, tamper, detail) => {
    const { request, record } = await answer(sign, tamper ? { tamper } : {});
    expect(record).toMatchObject({ outcome: 'rejected', reason: 'dmarc_fail' });
    expect(record.detail).toContain(detail);
    expect((await h.store.get(request.requestId))?.status).toBe('pending');
  });

  it('a signed reply whose In-Reply-To is not signed cannot be moved to another request', async () => {
    const { record } = await answer(
      (raw) =>
        world.sign(raw, {
          domain: 'corp.example',
          selector: 'rsa1',
          key: rsa.privateKey,
          headerList: ['from', 'to', 'subject', 'date', 'message-id'],
        }),
      { reply: true },
    );
    expect(record).toMatchObject({ reason: 'dmarc_fail' });
    expect(record.detail).toContain('does not sign in-reply-to');
  });

  it('a DNS failure is retried, and becomes dmarc_fail only on the last attempt', async () => {
    const { tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const raw = await world.sign(
      buttonAnswer({
        from: 'alice@corp.example',
        token: tokens.get('alice@corp.example')!.complete,
      }),
      {
        domain: 'corp.example',
        selector: 'rsa1',
        key: rsa.privateKey,
      },
    );
    const job = inboundJob(raw);
    world.breakDns(true);
    try {
      // no cache in front: a broken resolver is what the job meets
      const deps = h.deps({ settings: { verifyDkim: true }, dnsResolver: world.resolver });
      await expect(verifyInbound(job, deps, { finalAttempt: false })).rejects.toBeInstanceOf(
        TemporaryVerifyError,
      );
      expect(await h.inboundLog.outcomeOf(job.inboundId)).toBeNull();
      const last = await verifyInbound(job, deps, { finalAttempt: true });
      expect(last).toMatchObject({ reason: 'dmarc_fail' });
      expect(last.detail).toContain('temperror');
    } finally {
      world.breakDns(false);
    }
  });

  it('caches key lookups, also "no such key", and shares concurrent lookups', async () => {
    let time = 0;
    const cached = cachedResolver(world.resolver, {
      ttlMs: 1000,
      negativeTtlMs: 100,
      maxEntries: 2,
      now: () => time,
    });
    const before = world.lookups();
    await Promise.all([
      cached('rsa1._domainkey.corp.example', 'TXT'),
      cached('rsa1._domainkey.corp.example', 'TXT'),
    ]);
    await cached('RSA1._domainkey.corp.example', 'TXT');
    expect(world.lookups() - before).toBe(1);
    await expect(cached('none._domainkey.corp.example', 'TXT')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    await expect(cached('none._domainkey.corp.example', 'TXT')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    expect(world.lookups() - before).toBe(2);
    time = 500;
    await expect(cached('none._domainkey.corp.example', 'TXT')).rejects.toMatchObject({
      code: 'ENOTFOUND',
    });
    expect(world.lookups() - before).toBe(3);
    time = 2000;
    await cached('rsa1._domainkey.corp.example', 'TXT');
    expect(world.lookups() - before).toBe(4);
    world.breakDns(true);
    await expect(cached('ed1._domainkey.corp.example', 'TXT')).rejects.toMatchObject({
      code: 'ETIMEOUT',
    });
    world.breakDns(false);
    await cached('ed1._domainkey.corp.example', 'TXT');
    expect(world.lookups() - before).toBe(6);
    expect(cached.size()).toBeLessThanOrEqual(2);
  });

  it('with DMARC and DKIM both enforced, both must pass', async () => {
    const deps = h.deps({
      settings: { verifyDkim: true, requireDmarc: true, trustedAuthservId: AUTHSERV_ID },
      dnsResolver: world.resolver,
    });
    const { tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const unsigned = buttonAnswer({
      from: 'alice@corp.example',
      token: tokens.get('alice@corp.example')!.complete,
      headers: [dmarcPass()],
    });
    expect(await verifyInbound(inboundJob(unsigned), deps)).toMatchObject({ reason: 'dmarc_fail' });
    const signed = await world.sign(unsigned, {
      domain: 'corp.example',
      selector: 'rsa1',
      key: rsa.privateKey,
    });
    expect(await verifyInbound(inboundJob(signed), deps)).toMatchObject({ outcome: 'accepted' });
  });
});

describe('per-sender rate limit (RC_SENDER_RATE_LIMIT)', () => {
  it('rejects a sender over the limit as rate_limited, counts a retried message once, and slides', async () => {
    const limiter = new SenderRateLimiter(h.redis, h.prefix, { max: 3, durationMs: 60_000 });
    let time = Date.now();
    const deps = h.deps({ senderRateLimiter: limiter, now: () => new Date(time) });
    const jobs = Array.from({ length: 4 }, (_, i) =>
      inboundJob(buttonAnswer({ from: 'flood@corp.example', body: `junk ${i}` })),
    );
    const outcomes = [];
    for (const job of jobs) outcomes.push((await verifyInbound(job, deps)).reason);
    expect(outcomes).toEqual(['no_token', 'no_token', 'no_token', 'rate_limited']);
    // a retry of an allowed message is still allowed (same inboundId), not a fourth count
    expect(await limiter.take('flood@corp.example', jobs[0]!.inboundId, new Date(time))).toBe(true);
    // a valid answer from the flooding sender is held back too: nothing reaches the engine
    const { request, tokens } = await h.request([{ email: 'flood@corp.example' }]);
    const valid = inboundJob(
      buttonAnswer({
        from: 'flood@corp.example',
        token: tokens.get('flood@corp.example')!.complete,
      }),
    );
    expect(await verifyInbound(valid, deps)).toMatchObject({
      outcome: 'rejected',
      reason: 'rate_limited',
    });
    expect((await h.updates()).some((update) => update.requestId === request.requestId)).toBe(
      false,
    );
    // other senders are not affected
    expect(
      await verifyInbound(
        inboundJob(buttonAnswer({ from: 'calm@corp.example', body: 'hi' })),
        deps,
      ),
    ).toMatchObject({ reason: 'no_token' });
    time += 61_000;
    expect(
      await verifyInbound(
        inboundJob(buttonAnswer({ from: 'flood@corp.example', body: 'later' })),
        deps,
      ),
    ).toMatchObject({ reason: 'no_token' });
  });

  it('does not count mail rejected before authentication (forged mail cannot exhaust a budget)', async () => {
    const limiter = new SenderRateLimiter(h.redis, h.prefix, { max: 1, durationMs: 60_000 });
    const deps = h.deps({
      senderRateLimiter: limiter,
      settings: { requireDmarc: true, trustedAuthservId: AUTHSERV_ID },
    });
    for (let i = 0; i < 5; i++) {
      expect(
        await verifyInbound(
          inboundJob(buttonAnswer({ from: 'victim@corp.example', body: `forged ${i}` })),
          deps,
        ),
      ).toMatchObject({ reason: 'dmarc_fail' });
    }
    const { tokens } = await h.request([{ email: 'victim@corp.example' }]);
    const real = buttonAnswer({
      from: 'victim@corp.example',
      token: tokens.get('victim@corp.example')!.complete,
      headers: [dmarcPass()],
    });
    expect(await verifyInbound(inboundJob(real), deps)).toMatchObject({ outcome: 'accepted' });
  });
});

describe('rejection notices (RC_REJECTION_NOTICES)', () => {
  const noticeDeps = (extra: DepsOverrides = {}) =>
    h.deps({ rejectionNotices: new RejectionNotices(h.redis, h.prefix, h.sendQueue), ...extra });
  const noticesTo = async (to: string) => (await h.notices()).filter((notice) => notice.to === to);

  it('tells an assignee why: expired, with In-Reply-To their answer', async () => {
    const { request, tokens } = await h.request([{ email: 'n-expired@corp.example' }], {
      expiresAt: new Date(Date.now() + 60_000).toISOString(),
    });
    const raw = buttonAnswer({
      from: 'n-expired@corp.example',
      token: tokens.get('n-expired@corp.example')!.complete,
      messageId: '<late-answer@corp.example>',
    });
    const job = inboundJob(raw, { receivedAt: new Date(Date.now() + 120_000).toISOString() });
    expect(
      await verifyInbound(job, noticeDeps({ now: () => new Date(Date.now() + 120_000) })),
    ).toMatchObject({ reason: 'expired' });
    const [notice, ...more] = await noticesTo('n-expired@corp.example');
    expect(more).toHaveLength(0);
    // facts, not text: the sender words the notice (services/sender re-asserts the wording)
    expect(notice).toEqual({
      kind: 'notice',
      to: 'n-expired@corp.example',
      inReplyTo: '<late-answer@corp.example>',
      notice: {
        type: 'rejection',
        reason: 'expired',
        request: {
          requestId: request.requestId,
          taskId: request.taskId,
          title: request.title,
          expiresAt: request.expiresAt,
        },
        answerMessageId: '<late-answer@corp.example>',
      },
    });
    expect(sendNoticeJobSchema.safeParse(notice).success).toBe(true);
  });

  it('tells the second assignee who decided first, once per sender and reason per day', async () => {
    const { tokens } = await h.request([
      { email: 'n-first@corp.example' },
      { email: 'n-second@corp.example' },
    ]);
    const first = buttonAnswer({
      from: 'n-first@corp.example',
      token: tokens.get('n-first@corp.example')!.complete,
    });
    expect(await verifyInbound(inboundJob(first), noticeDeps())).toMatchObject({
      outcome: 'accepted',
    });
    const secondJob = inboundJob(
      buttonAnswer({
        from: 'n-second@corp.example',
        token: tokens.get('n-second@corp.example')!.fail,
      }),
    );
    expect(await verifyInbound(secondJob, noticeDeps())).toMatchObject({
      reason: 'already_decided',
    });
    // a retry of the same message does not queue a second notice
    await verifyInbound(secondJob, noticeDeps());
    const again = inboundJob(
      buttonAnswer({
        from: 'n-second@corp.example',
        token: tokens.get('n-second@corp.example')!.fail,
        comment: 'again',
      }),
    );
    expect(await verifyInbound(again, noticeDeps())).toMatchObject({ reason: 'already_decided' });
    const notices = await noticesTo('n-second@corp.example');
    expect(notices).toHaveLength(1);
    expect(notices[0]?.notice).toMatchObject({
      type: 'rejection',
      reason: 'already_decided',
      decision: { action: 'complete', actor: 'n-first@corp.example' },
    });
  });

  it('without sender authentication, only an assignee of the named request is told', async () => {
    const { tokens } = await h.request([
      { email: 'n-owner@corp.example' },
      { email: 'n-colleague@corp.example' },
    ]);
    const link = tokens.get('n-owner@corp.example')!.complete;
    // a colleague on the same request used the owner's link: told (we emailed them about it anyway)
    expect(
      await verifyInbound(
        inboundJob(buttonAnswer({ from: 'n-colleague@corp.example', token: link })),
        noticeDeps(),
      ),
    ).toMatchObject({ reason: 'sender_mismatch' });
    // a stranger with the link: not told (the From may be forged; the notice would go to a bystander)
    expect(
      await verifyInbound(
        inboundJob(buttonAnswer({ from: 'n-stranger@corp.example', token: link })),
        noticeDeps(),
      ),
    ).toMatchObject({ reason: 'sender_mismatch' });
    // no request named at all: nobody to check against, nobody told
    expect(
      await verifyInbound(
        inboundJob(buttonAnswer({ from: 'n-owner@corp.example', body: 'What is this?' })),
        noticeDeps(),
      ),
    ).toMatchObject({ reason: 'no_token' });
    expect(await noticesTo('n-colleague@corp.example')).toHaveLength(1);
    expect(JSON.stringify((await noticesTo('n-colleague@corp.example'))[0])).not.toContain(
      'n-owner@corp.example',
    );
    expect(await noticesTo('n-stranger@corp.example')).toHaveLength(0);
    expect(await noticesTo('n-owner@corp.example')).toHaveLength(0);
  });

  it('with DMARC enforced and passed, any sender is told about their own mistake', async () => {
    const deps = noticeDeps({ settings: { requireDmarc: true, trustedAuthservId: AUTHSERV_ID } });
    expect(
      await verifyInbound(
        inboundJob(
          buttonAnswer({ from: 'n-authed@corp.example', body: 'Approve', headers: [dmarcPass()] }),
        ),
        deps,
      ),
    ).toMatchObject({ reason: 'no_token' });
    const [notice] = await noticesTo('n-authed@corp.example');
    expect(notice?.notice).toEqual({
      type: 'rejection',
      reason: 'no_token',
      answerMessageId: expect.any(String),
    });
  });

  it('never answers robots, bounces, loops, floods, strangers or unauthenticated mail', async () => {
    const { tokens } = await h.request([{ email: 'n-quiet@corp.example' }]);
    const token = tokens.get('n-quiet@corp.example')!.complete;
    const from = 'n-quiet@corp.example';
    const limiter = new SenderRateLimiter(h.redis, h.prefix, { max: 1, durationMs: 60_000 });
    const cases: [string, DepsOverrides, string][] = [
      ['auto_reply', {}, buttonAnswer({ from, token, headers: ['Auto-Submitted: auto-replied'] })],
      ['auto_reply', {}, buttonAnswer({ from, token, subject: 'Out of Office: Approve deploy' })],
      [
        'bounce',
        {},
        buttonAnswer({
          from: 'MAILER-DAEMON@corp.example',
          token,
          headers: ['Content-Type: multipart/report; report-type=delivery-status; boundary=x'],
        }),
      ],
      ['loop', {}, buttonAnswer({ from: MAILBOX, token })],
      ['loop', {}, buttonAnswer({ from, token, headers: ['X-Remote-Completion: rejection'] })],
      ['not_whitelisted', {}, buttonAnswer({ from: 'n-quiet@evil.example', token })],
      [
        'dmarc_fail',
        { settings: { requireDmarc: true, trustedAuthservId: AUTHSERV_ID } },
        buttonAnswer({ from, token }),
      ],
      [
        'too_large',
        { settings: { maxMessageBytes: 1024 } },
        buttonAnswer({ from, token, comment: 'y'.repeat(2000) }),
      ],
      [
        'rate_limited',
        { senderRateLimiter: limiter },
        buttonAnswer({ from: 'n-flood@corp.example', body: 'one' }),
      ],
      [
        'rate_limited',
        { senderRateLimiter: limiter },
        buttonAnswer({ from: 'n-flood@corp.example', body: 'two' }),
      ],
    ];
    const reasons = [];
    for (const [, extra, raw] of cases)
      reasons.push((await verifyInbound(inboundJob(raw), noticeDeps(extra))).reason);
    expect(reasons).toEqual([
      'auto_reply',
      'auto_reply',
      'bounce',
      'loop',
      'loop',
      'not_whitelisted',
      'dmarc_fail',
      'too_large',
      'no_token',
      'rate_limited',
    ]);
    const notices = await h.notices();
    for (const to of [
      'n-quiet@corp.example',
      'mailer-daemon@corp.example',
      MAILBOX,
      'n-quiet@evil.example',
      'n-flood@corp.example',
    ]) {
      expect(
        notices.filter((notice) => notice.to === to),
        to,
      ).toHaveLength(0);
    }
  });
});

describe('bounded work per message', () => {
  it('refuses header sections that would make the MIME parser spin, in milliseconds', async () => {
    // a field without a colon followed by 150,000 folded lines: mailparser alone needs > 30 s
    const spinner = `From: a@corp.example\r\nNOCOLON\r\n${' \r\n'.repeat(150_000)}\r\nbody`;
    const started = Date.now();
    expect(await verifyInbound(inboundJob(spinner), h.deps())).toMatchObject({
      outcome: 'rejected',
      reason: 'malformed',
      detail: expect.stringContaining('folded over more than'),
    });
    const huge = `From: a@corp.example\r\n${'X-Filler: 0123456789012345678901234567890123456789\r\n'.repeat(6_000)}\r\nbody`;
    expect(await verifyInbound(inboundJob(huge), h.deps())).toMatchObject({
      reason: 'malformed',
      detail: expect.stringContaining('header section larger than'),
    });
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('still reads ordinary long headers (deep References, big DKIM and ARC sets)', async () => {
    const { tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const references = `References: ${Array.from({ length: 400 }, (_, i) => `<thread-${i}@corp.example>`).join('\r\n ')}`;
    const raw = buttonAnswer({
      from: 'alice@corp.example',
      token: tokens.get('alice@corp.example')!.complete,
      headers: [references],
    });
    expect(await verifyInbound(inboundJob(raw), h.deps())).toMatchObject({ outcome: 'accepted' });
  });
});

describe('the reply vocabulary (RC_COMPLETE_WORDS, RC_FAIL_WORDS)', () => {
  it('an operator’s own words make a plain reply act; without them it is no_action', async () => {
    const plainReply = (from: string, messageId: string, text: string) =>
      [
        `From: ${from}`,
        `To: ${MAILBOX}`,
        'Subject: Re: Action required',
        `In-Reply-To: ${messageId}`,
        `Message-ID: <${Math.random().toString(36).slice(2)}@corp.example>`,
        'Content-Type: text/plain; charset=utf-8',
        '',
        text,
      ].join('\r\n');
    const vocabulary = extendActionVocabulary({
      complete: ['ship it'],
      fail: ['hold the release'],
    });

    const first = await h.request([{ email: 'voc1@corp.example' }]);
    const plain = await verifyInbound(
      inboundJob(
        plainReply(
          'voc1@corp.example',
          first.tokens.get('voc1@corp.example')!.messageId,
          'Ship it!',
        ),
      ),
      h.deps(),
    );
    expect(plain).toMatchObject({ outcome: 'rejected', reason: 'no_action' });

    const second = await h.request([{ email: 'voc2@corp.example' }]);
    const shipped = await verifyInbound(
      inboundJob(
        plainReply(
          'voc2@corp.example',
          second.tokens.get('voc2@corp.example')!.messageId,
          'Ship it!',
        ),
      ),
      h.deps({ vocabulary }),
    );
    expect(shipped).toMatchObject({ outcome: 'accepted', action: 'complete' });

    const third = await h.request([{ email: 'voc3@corp.example' }]);
    const held = await verifyInbound(
      inboundJob(
        plainReply(
          'voc3@corp.example',
          third.tokens.get('voc3@corp.example')!.messageId,
          'Hold the release until the migration has run.',
        ),
      ),
      h.deps({ vocabulary }),
    );
    expect(held).toMatchObject({ outcome: 'accepted', action: 'fail' });
  });
});

describe('respondedAt', () => {
  it('is the Date header, but never later than arrival', () => {
    const arrived = '2026-11-22T10:00:00.000Z';
    expect(respondedAt('2026-11-22T09:59:00.000Z', arrived)).toBe('2026-11-22T09:59:00.000Z');
    expect(respondedAt('2026-11-23T00:00:00.000Z', arrived)).toBe(arrived);
    expect(respondedAt(null, arrived)).toBe(arrived);
    expect(respondedAt('not a date', arrived)).toBe(arrived);
  });
});

describe('the inbound log', () => {
  it('keeps the subject, with its answer token masked', async () => {
    const { tokens } = await h.request([{ email: 'alice@corp.example' }]);
    const token = tokens.get('alice@corp.example')!.complete;
    // a wrong sender: the token stays valid, so a copy of it in the log would be a credential
    const raw = buttonAnswer({ from: 'mallory@corp.example', token });
    const job = inboundJob(raw);
    const record = await verifyInbound(job, h.deps());
    expect(record.reason).toBe('sender_mismatch');
    const logged = await h.inboundLog.recordOf(job.inboundId);
    for (const kept of [record, logged]) {
      expect(kept?.subject).toContain('Approve deploy');
      expect(kept?.subject).not.toContain(token.slice(-16));
      expect(kept?.subject).toMatch(/rc-[a-z0-9]+-c…\(token hidden\)/);
    }
  });
});
