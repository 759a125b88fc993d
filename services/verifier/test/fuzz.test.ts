import { REJECTION_REASONS } from '@rc/contracts';
import { dkimRecord, dkimWorld, rsaKey, startRedis, type RedisServer } from '@rc/testkit';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RejectionNotices } from '../src/notices';
import { verifyInbound, type VerifierDeps } from '../src/process';
import { SenderRateLimiter } from '../src/rate-limit';
import {
  buttonAnswer,
  createHarness,
  inboundJob,
  MAILBOX,
  type Harness,
  type SeededRequest,
} from './harness';

/**
 * Hostile input at scale: 11,000 generated messages (random bytes, header soup, broken and
 * deeply nested MIME, odd charsets and encodings, huge lines, tokens of every shape, and
 * mutations of real answers) through verifyInbound on a real Redis with the real store, log,
 * rate limiter and notices. Every one must come back with an outcome on record: no throw, no
 * unhandled rejection, no reason outside the documented list.
 */

const RUNS = {
  bytes: 2_000,
  headers: 2_000,
  mime: 2_500,
  tokens: 2_000,
  mutations: 2_000,
  dkim: 500,
};

let server: RedisServer;
let h: Harness;
let requests: SeededRequest[] = [];
const unhandled: unknown[] = [];
let processed = 0;
let slowest = { ms: 0, bytes: 0 };
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  process.on('uncaughtException', onUnhandled);
  server = await startRedis();
  h = await createHarness(server);
  requests = [];
  for (let i = 0; i < 12; i++) {
    requests.push(
      await h.request([
        { email: `fuzz${i}@corp.example`, name: `Fuzz ${i}` },
        { email: `other${i}@bücher.example` },
      ]),
    );
  }
});

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled);
  process.off('uncaughtException', onUnhandled);
  console.log(
    `fuzz: ${processed} messages verified, ${unhandled.length} unhandled rejections, slowest ${slowest.ms} ms (${slowest.bytes} bytes)`,
  );
  await h?.close();
  await server?.stop();
});

function baseDeps(): VerifierDeps {
  return h.deps({
    senderRateLimiter: new SenderRateLimiter(h.redis, h.prefix, {
      max: 1_000_000,
      durationMs: 3_600_000,
    }),
    rejectionNotices: new RejectionNotices(h.redis, h.prefix, h.sendQueue),
  });
}

const VALID_REASONS = new Set(Object.keys(REJECTION_REASONS));

/** Runs one message and checks the invariant: exactly one well-formed outcome, on record. */
async function mustGetAnOutcome(
  raw: Buffer,
  deps: VerifierDeps,
  jobExtra: { size?: number; truncated?: boolean } = {},
): Promise<void> {
  const job = inboundJob(raw, jobExtra);
  const started = performance.now();
  const record = await verifyInbound(job, deps);
  const ms = performance.now() - started;
  if (ms > slowest.ms) slowest = { ms: Math.round(ms), bytes: raw.length };
  processed += 1;
  expect(record.inboundId).toBe(job.inboundId);
  if (record.outcome === 'rejected') expect(VALID_REASONS.has(record.reason ?? '')).toBe(true);
  else expect(record.outcome).toBe('accepted');
  expect(await h.inboundLog.outcomeOf(job.inboundId)).toBe(record.outcome);
}

// ---------------------------------------------------------------------------------------------
// generators

const CRLF = fc.constantFrom('\r\n', '\n', '\r', '\r\n\r\n', '');
const nasty = fc.constantFrom(
  '\u0000',
  '\u00ff',
  '\ufffd',
  '\u202e',
  '=?',
  '?=',
  '=?utf-8?B?',
  '=?x-unknown?Q?=FF=FE?=',
  '=?utf-8?b?////?=',
  '<',
  '>',
  '"',
  '(',
  ')',
  '\\',
  ';',
  ':',
  ',',
  '@',
  '%',
  '%00',
  '%E2%82',
  '\t',
  ' ',
  '--',
  'boundary=',
  '\u{1F600}',
  'ä',
  'рс',
);
const textish = fc.oneof(
  { arbitrary: fc.string({ maxLength: 80 }), weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 60 }), weight: 2 },
  { arbitrary: fc.array(nasty, { maxLength: 12 }).map((parts) => parts.join('')), weight: 3 },
);
const hugeLine = fc
  .constantFrom(1_000, 20_000, 150_000)
  .chain((size) =>
    fc
      .constantFrom('A', 'é', '=?utf-8?q?', ' ', '\t')
      .map((unit) => unit.repeat(Math.ceil(size / unit.length))),
  );

const headerName = fc.oneof(
  fc.constantFrom(
    'From',
    'To',
    'Cc',
    'Subject',
    'Reply-To',
    'Sender',
    'Message-ID',
    'In-Reply-To',
    'References',
    'Date',
    'Content-Type',
    'Content-Transfer-Encoding',
    'MIME-Version',
    'Auto-Submitted',
    'Precedence',
    'X-Autoreply',
    'Return-Path',
    'Authentication-Results',
    'DKIM-Signature',
    'X-Remote-Completion',
    'List-Id',
  ),
  fc.string({ minLength: 1, maxLength: 30 }).map((name) => name.replace(/[:\s]/g, 'x')),
);
const addressish = fc.oneof(
  fc.constantFrom(
    'fuzz1@corp.example',
    'Fuzz <fuzz2@corp.example>',
    '"fuzz3@corp.example" <mallory@evil.example>',
    'a@b',
    '@',
    '<>',
    'undisclosed-recipients:;',
    `${MAILBOX}`,
    'MAILER-DAEMON@corp.example',
    'other1@bücher.example',
    'x@xn--',
    'x@' + 'a'.repeat(300) + '.example',
  ),
  textish,
);
const headerLineOf = (value: fc.Arbitrary<string>) =>
  fc
    .tuple(headerName, fc.constantFrom(':', ': ', ':\t', ' : ', ''), value, CRLF, fc.boolean())
    .map(
      ([name, colon, text, eol, folded]) =>
        `${name}${colon}${folded ? text.replace(/ /g, '\r\n ') : text}${eol}`,
    );
const headerLine = headerLineOf(
  fc.oneof(
    { arbitrary: textish, weight: 6 },
    { arbitrary: addressish, weight: 3 },
    { arbitrary: hugeLine, weight: 1 },
  ),
);
/** Without the huge lines: for the DKIM run, whose cost is the signature work, not the size. */
const smallHeaderLine = headerLineOf(
  fc.oneof({ arbitrary: textish, weight: 2 }, { arbitrary: addressish, weight: 1 }),
);

const charset = fc.constantFrom(
  'utf-8',
  'UTF-8',
  'iso-8859-1',
  'windows-1252',
  'utf-7',
  'iso-2022-jp',
  'gb18030',
  'x-unknown',
  'utf-16',
  '',
  '"',
  'utf-8"; x="',
);
const encoding = fc.constantFrom(
  '7bit',
  '8bit',
  'base64',
  'quoted-printable',
  'binary',
  'x-uuencode',
  'BASE64 ',
  '',
);
const leafType = fc.constantFrom(
  'text/plain',
  'text/html',
  'message/rfc822',
  'message/delivery-status',
  'application/octet-stream',
  'text/calendar',
  'image/png',
  'text/',
  '/',
);
const body = fc.oneof(
  { arbitrary: textish, weight: 4 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 400 }), weight: 2 },
  {
    arbitrary: fc.constantFrom(
      '====',
      '=\r\n=4',
      'QUJD\r\n!!!!',
      '<html><body><a href="mailto:x?subject=%5Brc-k1-c">x',
      'begin 644 x\r\n`\r\nend',
    ),
    weight: 2,
  },
);

type Part =
  | { kind: 'leaf'; type: string; charset: string; encoding: string; body: string }
  | { kind: 'multipart'; subtype: string; boundary: string; children: Part[]; breakage: number };

const mimeTree = fc.letrec<{ part: Part }>((tie) => ({
  part: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.record({ kind: fc.constant('leaf' as const), type: leafType, charset, encoding, body }),
    fc.record({
      kind: fc.constant('multipart' as const),
      subtype: fc.constantFrom('mixed', 'alternative', 'related', 'report', 'signed', 'digest', ''),
      boundary: fc.oneof(
        fc.constantFrom('b', '', '--', 'a b', '"q"', 'x'.repeat(200)),
        fc.string({ maxLength: 20 }),
      ),
      children: fc.array(tie('part'), { maxLength: 4 }),
      breakage: fc.integer({ min: 0, max: 5 }),
    }),
  ),
})).part;

function renderPart(part: Part, depth = 0): string {
  if (part.kind === 'leaf') {
    return `Content-Type: ${part.type}; charset=${part.charset}\r\nContent-Transfer-Encoding: ${part.encoding}\r\n\r\n${part.body}\r\n`;
  }
  const open = part.breakage === 1 ? `${part.boundary}x` : part.boundary;
  const children = part.children
    .map((child) => `--${open}\r\n${renderPart(child, depth + 1)}`)
    .join('');
  const close =
    part.breakage === 2
      ? ''
      : part.breakage === 3
        ? `--${part.boundary}`
        : `--${part.boundary}--\r\n`;
  const type =
    part.breakage === 4
      ? `multipart/${part.subtype}`
      : `multipart/${part.subtype}; boundary="${part.boundary}"`;
  const nested = part.breakage === 5 ? children.repeat(3) : children;
  return `Content-Type: ${type}\r\n\r\npreamble\r\n${nested}${close}epilogue\r\n`;
}

/** Shapes of tokens: real ones, near misses, and the right pattern with wrong values. */
function tokenArbitrary(): fc.Arbitrary<string> {
  const real = requests.flatMap(({ tokens }) =>
    [...tokens.values()].flatMap((t) => [t.complete, t.fail, t.messageId]),
  );
  const b32 = fc.string({
    unit: fc.constantFrom(...'0123456789abcdefghjkmnpqrstvwxyzILOU'.split('')),
    minLength: 10,
    maxLength: 18,
  });
  return fc.oneof(
    { arbitrary: fc.constantFrom(...real), weight: 4 },
    { arbitrary: fc.constantFrom(...real).map((token) => token.toUpperCase()), weight: 1 },
    {
      arbitrary: fc
        .constantFrom(...real)
        .chain((token) =>
          fc
            .nat(token.length - 1)
            .map(
              (at) => `${token.slice(0, at)}${token[at] === '0' ? '1' : '0'}${token.slice(at + 1)}`,
            ),
        ),
      weight: 3,
    },
    {
      arbitrary: fc.constantFrom(...real).map((token) => encodeURIComponent(`[${token}]`)),
      weight: 1,
    },
    {
      arbitrary: fc
        .tuple(
          fc.constantFrom('k1', 'k2', 'zz', 'K1', 'toolong'),
          fc.constantFrom('c', 'f', 'r', 'x'),
          b32,
          b32,
        )
        .map(([kid, a, ref, mac]) => `rc-${kid}-${a}${ref}-${mac}`),
      weight: 3,
    },
    {
      arbitrary: fc.constantFrom(
        'rc-',
        'rc-k1-',
        'rc-k1-c',
        'rc--c-',
        'rc-k1-c0000000000000000-',
        'xrc-k1-c000000000000-0000000000000000',
      ),
      weight: 1,
    },
  );
}

function mutate(raw: Buffer, ops: [number, number, number][]): Buffer {
  let bytes = Buffer.from(raw);
  for (const [op, a, b] of ops) {
    if (bytes.length === 0) break;
    const at = a % bytes.length;
    switch (op % 8) {
      case 0: // flip a byte
        bytes[at] = (bytes[at] ?? 0) ^ (1 << (b % 8));
        break;
      case 1: // insert junk
        bytes = Buffer.concat([
          bytes.subarray(0, at),
          Buffer.from([b % 256, (b * 7) % 256, 0]),
          bytes.subarray(at),
        ]);
        break;
      case 2: // delete a range
        bytes = Buffer.concat([bytes.subarray(0, at), bytes.subarray(at + (b % 64))]);
        break;
      case 3: // duplicate a range (doubled headers, doubled boundaries)
        bytes = Buffer.concat([bytes.subarray(0, at + (b % 200)), bytes.subarray(at)]);
        break;
      case 4: // truncate
        bytes = bytes.subarray(0, at);
        break;
      case 5: // bare LF / bare CR line ends
        bytes = Buffer.from(
          bytes.toString('latin1').replace(/\r\n/g, b % 2 ? '\n' : '\r'),
          'latin1',
        );
        break;
      case 6: // upper-case everything (clients that shout)
        bytes = Buffer.from(bytes.toString('latin1').toUpperCase(), 'latin1');
        break;
      default: // a NUL or 0xFF in the middle
        bytes[at] = b % 2 ? 0 : 0xff;
    }
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------

describe(
  'fuzz: malformed and hostile mail never crashes the verifier',
  { timeout: 120_000 },
  () => {
    it(`${RUNS.bytes} random byte strings`, async () => {
      const deps = baseDeps();
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('', 'From: fuzz1@corp.example\r\n', 'Subject: x\r\n\r\n', 'X:'),
          fc.uint8Array({ maxLength: 2_048 }),
          async (prefix, bytes) => {
            await mustGetAnOutcome(
              Buffer.concat([Buffer.from(prefix, 'latin1'), Buffer.from(bytes)]),
              deps,
            );
          },
        ),
        { numRuns: RUNS.bytes },
      );
    });

    it(`${RUNS.headers} header soups with huge lines, bad encodings and repeated fields`, async () => {
      const deps = baseDeps();
      await fc.assert(
        fc.asyncProperty(
          fc.array(headerLine, { minLength: 1, maxLength: 25 }),
          CRLF,
          body,
          fc.boolean(),
          async (lines, separator, text, oversize) => {
            const raw = Buffer.from(`${lines.join('')}${separator}${text}`, 'utf8');
            await mustGetAnOutcome(raw, deps, oversize ? { size: 50_000_000 } : {});
          },
        ),
        { numRuns: RUNS.headers },
      );
    });

    it(`${RUNS.mime} broken, nested and mis-encoded MIME structures`, async () => {
      const deps = baseDeps();
      await fc.assert(
        fc.asyncProperty(addressish, textish, mimeTree, async (from, subject, tree) => {
          const raw = Buffer.from(
            `From: ${from}\r\nTo: ${MAILBOX}\r\nSubject: ${subject}\r\nMIME-Version: 1.0\r\n${renderPart(tree)}`,
            'utf8',
          );
          await mustGetAnOutcome(raw, deps);
        }),
        { numRuns: RUNS.mime },
      );
    });

    it(`${RUNS.tokens} answers with tokens of every shape, from assignees and strangers`, async () => {
      const deps = baseDeps();
      const token = tokenArbitrary();
      const sender = fc.constantFrom(
        ...requests.flatMap(({ request }) => request.assignees.map((assignee) => assignee.email)),
        'mallory@corp.example',
        'x@evil.example',
      );
      await fc.assert(
        fc.asyncProperty(
          sender,
          fc.array(token, { maxLength: 4 }),
          fc.array(token, { maxLength: 3 }),
          fc.option(token),
          textish,
          async (from, inSubject, inBody, inReplyTo, words) => {
            const raw = buttonAnswer({
              from,
              subject: `Re: ${inSubject.join(' ')}`,
              body: `${words}\r\n${inBody.map((t, i) => (i % 2 ? `> ${t}` : t)).join('\r\n')}\r\n`,
              headers: inReplyTo
                ? [
                    `In-Reply-To: ${inReplyTo.startsWith('<') ? inReplyTo : `<${inReplyTo}@rc.example>`}`,
                  ]
                : [],
            });
            await mustGetAnOutcome(Buffer.from(raw, 'utf8'), deps);
          },
        ),
        { numRuns: RUNS.tokens },
      );
    });

    it(`${RUNS.mutations} byte-level mutations of real answers`, async () => {
      const deps = baseDeps();
      const originals = requests.flatMap(({ tokens }) =>
        [...tokens.entries()].map(([email, t]) =>
          Buffer.from(
            buttonAnswer({
              from: `Someone <${email}>`,
              token: t.complete,
              comment: 'Ship it — grüße',
            }),
            'utf8',
          ),
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...originals),
          fc.array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { minLength: 1, maxLength: 6 }),
          async (original, ops) => {
            await mustGetAnOutcome(mutate(original, ops), deps);
          },
        ),
        { numRuns: RUNS.mutations },
      );
    });

    it(`${RUNS.dkim} hostile messages through DKIM and DMARC enforcement (mailauth, stub DNS)`, async () => {
      const world = dkimWorld();
      const key = rsaKey();
      world.publish('s1._domainkey.corp.example', dkimRecord(key.publicKey));
      world.publish('bad._domainkey.corp.example', 'v=DKIM1; k=rsa; p=!!!not-base64');
      const deps = h.deps({
        settings: { verifyDkim: true, requireDmarc: true, trustedAuthservId: 'mx.rc.example' },
        dnsResolver: world.resolver,
        rejectionNotices: new RejectionNotices(h.redis, h.prefix, h.sendQueue),
      });
      const signature = fc.oneof(
        fc.constant(''),
        fc
          .tuple(
            fc.constantFrom('s1', 'bad', 'none', ''),
            fc.constantFrom('corp.example', 'evil.example', ''),
            textish,
          )
          .map(
            ([s, d, b]) =>
              `DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=${d}; s=${s}; h=from:subject; bh=${b}; b=${b}\r\n`,
          ),
        textish.map(
          (value) =>
            `DKIM-Signature: ${value}\r\nAuthentication-Results: mx.rc.example; ${value}\r\n`,
        ),
      );
      await fc.assert(
        fc.asyncProperty(
          signature,
          fc.array(smallHeaderLine, { maxLength: 8 }),
          mimeTree,
          fc.boolean(),
          async (dkim, lines, tree, signForReal) => {
            let raw = `From: fuzz3@corp.example\r\nTo: ${MAILBOX}\r\nSubject: Complete\r\n${lines.join('')}MIME-Version: 1.0\r\n${renderPart(tree)}`;
            if (signForReal)
              raw = await world
                .sign(raw, { domain: 'corp.example', selector: 's1', key: key.privateKey })
                .catch(() => raw);
            await mustGetAnOutcome(Buffer.from(`${dkim}${raw}`, 'utf8'), deps);
          },
        ),
        { numRuns: RUNS.dkim },
      );
    });

    it('left no unhandled rejection or uncaught exception behind', async () => {
      // let anything that was going to escape do so before counting
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(unhandled).toEqual([]);
      expect(processed).toBeGreaterThanOrEqual(
        Object.values(RUNS).reduce((sum, runs) => sum + runs, 0),
      );
      // no single message may hold a verifier for long (the header screen bounds mailparser)
      expect(slowest.ms).toBeLessThan(5_000);
    });
  },
);
