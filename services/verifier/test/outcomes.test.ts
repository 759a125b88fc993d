import { REJECTION_REASONS, type InboundRecord, type RejectionReason } from '@rc/contracts';
import { startRedis, type RedisServer } from '@rc/testkit';
import { mintAnswerToken, newAnswerRef, parseSigningKeys } from '@rc/tokens';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordProcessingFailure, verifyInbound } from '../src/process';
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
 * Every email ends in exactly one recorded outcome: each documented reason is reachable and
 * lands in the log as returned; the outcome is judged by the mailbox's arrival time; a retry
 * of a recorded message changes nothing; a message the verifier gave up on is recorded too.
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

let unique = 0;
const person = (name: string) => `${name}-${(unique += 1)}@corp.example`;

async function verify(raw: string, overrides: DepsOverrides = {}, extra = {}) {
  return verifyInbound(inboundJob(raw, extra), h.deps(overrides));
}

/** One fresh message per reason, each on its own request and sender: no order dependence. */
const REACH: Record<RejectionReason, () => Promise<InboundRecord>> = {
  async bad_signature() {
    const from = person('forger');
    const { tokens } = await h.request([{ email: from }]);
    // the same ref and key id, signed with a secret we do not hold: `rc-<kid>-<action><ref>-<mac>`
    const ref = tokens.get(from)!.complete.split('-')[2]!.slice(1);
    const { keyring: other } = parseSigningKeys(`k1:${'cd'.repeat(24)}`);
    return verify(buttonAnswer({ from, token: mintAnswerToken(other!, 'complete', ref) }));
  },
  async expired() {
    const from = person('late');
    const expiresAt = new Date(Date.now() - 1000).toISOString();
    const { tokens } = await h.request([{ email: from }], { expiresAt });
    return verify(buttonAnswer({ from, token: tokens.get(from)!.complete }));
  },
  async cancelled() {
    const from = person('withdrawn');
    const { request, tokens } = await h.request([{ email: from }]);
    await h.store.cancel(request.requestId, new Date().toISOString());
    return verify(buttonAnswer({ from, token: tokens.get(from)!.complete }));
  },
  async already_decided() {
    const [first, second] = [person('first'), person('second')];
    const { tokens } = await h.request([{ email: first }, { email: second }]);
    await verify(buttonAnswer({ from: first, token: tokens.get(first)!.complete }));
    return verify(buttonAnswer({ from: second, token: tokens.get(second)!.fail }));
  },
  async unknown_request() {
    const token = mintAnswerToken(h.keyring, 'complete', newAnswerRef());
    return verify(buttonAnswer({ from: person('stale'), token }));
  },
  async sender_mismatch() {
    const owner = person('owner');
    const { tokens } = await h.request([{ email: owner }]);
    return verify(buttonAnswer({ from: person('other'), token: tokens.get(owner)!.complete }));
  },
  not_whitelisted: () => verify(buttonAnswer({ from: 'someone@evil.example', body: 'hi' })),
  auto_reply: () =>
    verify(
      buttonAnswer({
        from: person('ooo'),
        body: 'away',
        headers: ['Auto-Submitted: auto-replied'],
      }),
    ),
  bounce: () =>
    verify(
      buttonAnswer({
        from: 'MAILER-DAEMON@corp.example',
        body: 'undeliverable',
        headers: ['Content-Type: multipart/report; report-type=delivery-status; boundary=x'],
      }),
    ),
  loop: () => verify(buttonAnswer({ from: MAILBOX, body: 'ours' })),
  read_receipt: () =>
    verify(
      buttonAnswer({
        from: person('reader'),
        body: 'displayed',
        headers: [
          'Content-Type: multipart/report; report-type=disposition-notification; boundary=x',
        ],
      }),
    ),
  calendar_reply: () =>
    verify(
      [
        `From: ${person('calendar')}`,
        `To: ${MAILBOX}`,
        'Subject: Accepted: Approve deploy',
        'MIME-Version: 1.0',
        'Content-Type: text/calendar; method=REPLY',
        '',
        'BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nEND:VCALENDAR\r\n',
      ].join('\r\n'),
    ),
  auto_forward: () =>
    verify(
      buttonAnswer({
        from: person('rule'),
        body: 'forwarded',
        headers: ['X-MS-Exchange-Inbox-Rules-Loop: rule@corp.example'],
      }),
    ),
  no_token: () => verify(buttonAnswer({ from: person('chatty'), body: 'What is this?' })),
  async no_action() {
    const from = person('vague');
    const { tokens } = await h.request([{ email: from }]);
    const reply = `Maybe later.\r\n`;
    return verify(
      buttonAnswer({
        from,
        subject: 'Re: Approve deploy',
        body: reply,
        headers: [`In-Reply-To: ${tokens.get(from)!.messageId}`],
      }),
    );
  },
  too_large: () =>
    verify(buttonAnswer({ from: person('big'), body: 'x'.repeat(5000) }), {
      settings: { maxMessageBytes: 1024 },
    }),
  malformed: () => verify('this is not a mail at all'),
  dmarc_fail: () =>
    verify(buttonAnswer({ from: person('unsigned'), body: 'hi' }), {
      settings: { requireDmarc: true, trustedAuthservId: AUTHSERV_ID },
    }),
  async ambiguous() {
    const from = person('both');
    const one = await h.request([{ email: from }]);
    const two = await h.request([{ email: from }]);
    return verify(
      buttonAnswer({
        from,
        token: one.tokens.get(from)!.complete,
        comment: `Also ${two.tokens.get(from)!.complete}`,
      }),
    );
  },
  async rate_limited() {
    const from = person('flood');
    const senderRateLimiter = new SenderRateLimiter(h.redis, h.prefix, {
      max: 1,
      durationMs: 60_000,
    });
    await verify(buttonAnswer({ from, body: 'one' }), { senderRateLimiter });
    return verify(buttonAnswer({ from, body: 'two' }), { senderRateLimiter });
  },
  async self_approval() {
    const from = person('requester');
    const { tokens } = await h.request([{ email: from }], { requester: { email: from } });
    return verify(buttonAnswer({ from, token: tokens.get(from)!.complete }));
  },
  async revoked() {
    const [gone, stays] = [person('gone'), person('stays')];
    const { request, tokens } = await h.request([{ email: gone }, { email: stays }]);
    await h.store.votes.reassign(request.requestId, [{ email: stays }], new Date().toISOString());
    return verify(buttonAnswer({ from: gone, token: tokens.get(gone)!.complete }));
  },
  async already_voted() {
    const [twice, other] = [person('twice'), person('other')];
    const { tokens } = await h.request([{ email: twice }, { email: other }], { quorum: 2 });
    await verify(buttonAnswer({ from: twice, token: tokens.get(twice)!.complete }));
    return verify(buttonAnswer({ from: twice, token: tokens.get(twice)!.complete }));
  },
  async reason_required() {
    const from = person('terse');
    const { tokens } = await h.request([{ email: from }], { requireReasonOnFail: true });
    return verify(
      buttonAnswer({ from, action: 'fail', comment: '', token: tokens.get(from)!.fail }),
    );
  },
  async processing_failed() {
    const job = inboundJob('From: a@corp.example\r\n\r\nx');
    await recordProcessingFailure(h.inboundLog, job, 'boom', 'ATTEMPTS_EXHAUSTED');
    return (await h.inboundLog.recordOf(job.inboundId))!;
  },
};

describe('every email gets one outcome', () => {
  it.each(Object.keys(REJECTION_REASONS) as RejectionReason[])(
    'the documented reason %s is reachable and recorded as returned',
    async (reason) => {
      const record = await REACH[reason]();
      expect(record).toMatchObject({ outcome: 'rejected', reason });
      expect(await h.inboundLog.recordOf(record.inboundId)).toEqual(record);
    },
  );

  it('a retry of a recorded message returns its record and acts on nothing', async () => {
    const from = person('retried');
    let time = Date.now();
    const deps = h.deps({
      senderRateLimiter: new SenderRateLimiter(h.redis, h.prefix, { max: 1, durationMs: 60_000 }),
      now: () => new Date(time),
    });
    await verifyInbound(inboundJob(buttonAnswer({ from, body: 'first' })), deps);
    const { request, tokens } = await h.request([{ email: from }]);
    const job = inboundJob(buttonAnswer({ from, token: tokens.get(from)!.complete }));
    const first = await verifyInbound(job, deps);
    expect(first).toMatchObject({ reason: 'rate_limited' });
    // the window has slid: deciding again would accept, yet the log already said why not
    time += 61_000;
    expect(await verifyInbound(job, deps)).toEqual(first);
    expect((await h.updates()).some((update) => update.requestId === request.requestId)).toBe(
      false,
    );
    expect((await h.store.get(request.requestId))?.status).toBe('pending');
  });
});

describe('expiry is judged by arrival in the mailbox', () => {
  const expiring = async () => {
    const from = person('arrival');
    const expiresAt = new Date(Date.now() + 60_000).toISOString();
    const { tokens } = await h.request([{ email: from }], { expiresAt });
    return buttonAnswer({ from, token: tokens.get(from)!.complete });
  };
  const at = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();
  const later = { now: () => new Date(Date.now() + 180_000) };

  it('an answer that arrived in time but was picked up after expiry (poller outage) counts', async () => {
    const record = await verify(await expiring(), later, {
      arrivedAt: at(0),
      receivedAt: at(120_000),
    });
    expect(record).toMatchObject({ outcome: 'accepted' });
  });

  it('an answer that arrived after expiry is expired, however early it claims to be', async () => {
    const record = await verify(await expiring(), later, {
      arrivedAt: at(90_000),
      receivedAt: at(120_000),
    });
    expect(record).toMatchObject({ reason: 'expired' });
  });

  it('an arrival time later than pickup is capped at pickup; without one, pickup decides', async () => {
    const capped = await verify(await expiring(), later, {
      arrivedAt: at(600_000),
      receivedAt: at(0),
    });
    expect(capped).toMatchObject({ outcome: 'accepted' });
    const fallback = await verify(await expiring(), later, { receivedAt: at(120_000) });
    expect(fallback).toMatchObject({ reason: 'expired' });
  });

  it('a whole-second stamp counts as the end of that second: an answer in the second of the expiry, after it, is expired', async () => {
    const second = Math.floor(Date.now() / 1000) * 1000 + 10_000;
    const expiresAt = new Date(second + 500).toISOString();
    const answer = async (who: string) => {
      const from = person(who);
      const { tokens } = await h.request([{ email: from }], { expiresAt });
      return buttonAnswer({ from, token: tokens.get(from)!.complete });
    };
    const stamp = (ms: number) => new Date(ms).toISOString();
    const after = { now: () => new Date(second + 60_000) };
    // IMAP stamped 12:00:10 for mail that came at 12:00:10.8, after the expiry at 12:00:10.5
    const sameSecond = await verify(await answer('same-second'), after, {
      arrivedAt: stamp(second),
      receivedAt: stamp(second + 900),
    });
    expect(sameSecond).toMatchObject({ reason: 'expired' });
    const secondBefore = await verify(await answer('second-before'), after, {
      arrivedAt: stamp(second - 1000),
      receivedAt: stamp(second + 900),
    });
    expect(secondBefore).toMatchObject({ outcome: 'accepted' });
    // picked up before the expiry: the pickup bounds the arrival, whatever the stamp
    const pickedUpInTime = await verify(await answer('picked-up-in-time'), after, {
      arrivedAt: stamp(second),
      receivedAt: stamp(second + 400),
    });
    expect(pickedUpInTime).toMatchObject({ outcome: 'accepted' });
  });

  it('respondedAt in the update is never later than the arrival', async () => {
    const from = person('dated');
    const { request, tokens } = await h.request([{ email: from }]);
    const raw = buttonAnswer({ from, token: tokens.get(from)!.complete }).replace(
      /^Date: .*$/m,
      `Date: ${new Date(Date.now() + 3_600_000).toUTCString()}`,
    );
    const arrivedAt = new Date(Math.floor(Date.now() / 1000) * 1000 - 5000).toISOString();
    await verify(raw, {}, { arrivedAt });
    const update = (await h.updates()).find((job) => job.requestId === request.requestId);
    expect(update?.respondedAt).toBe(arrivedAt);
  });
});

describe('a message the verifier gave up on', () => {
  it.each([
    ['null', null],
    ['a string', 'rawBase64'],
    ['an array', [1, 2, 3]],
    ['fields of the wrong type', { inboundId: 5, receivedAt: 'yesterday' }],
    ['a huge inboundId', { inboundId: 'x'.repeat(100_000), receivedAt: 12 }],
  ])('is recorded as processing_failed whatever its payload: %s', async (_name, data) => {
    const before = (await h.inboundLog.query({ limit: 10_000, reason: 'processing_failed' }))
      .length;
    await recordProcessingFailure(h.inboundLog, data, 'x'.repeat(2000), 'PAYLOAD_INVALID');
    // the same junk twice is one record: its id is derived from the payload
    await recordProcessingFailure(h.inboundLog, data, 'again', 'PAYLOAD_INVALID');
    const items = await h.inboundLog.query({ limit: 10_000, reason: 'processing_failed' });
    expect(items.length - before).toBe(1);
    const [item] = items;
    expect(item?.inboundId.length).toBeLessThanOrEqual(200);
    expect(item?.detail).toMatch(/^PAYLOAD_INVALID: x+$/);
    expect(item?.detail?.length).toBeLessThanOrEqual(500);
    expect(Number.isNaN(Date.parse(item?.receivedAt ?? ''))).toBe(false);
  });
});
