import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findAnswerTokens } from '@rc/tokens';
import { headerSection, MAX_HEADER_BYTES, parseInboundMessage } from '../src/index';
import {
  FIXTURE_TOKENS,
  FIXTURES,
  parseFixture,
  parseRaw,
  rawMessage,
  readFixture,
} from './helpers';

describe('parseInboundMessage on the fixture corpus', () => {
  it.each([
    ['button-complete-thunderbird.eml', 'alice@corp.example', 'text/plain'],
    ['button-fail-outlook.eml', 'bob@corp.example', 'multipart/alternative'],
    ['reply-approve-gmail.eml', 'carol.ops@gmail.com', 'multipart/alternative'],
    ['reply-html-only-apple.eml', 'dominique@corp.example', 'multipart/related'],
    ['reply-reject-outlook.eml', 'bob@corp.example', 'multipart/alternative'],
    ['reply-iso-8859-1.eml', 'joerg@xn--mller-kva.example', 'text/plain'],
    ['out-of-office.eml', 'erik@corp.example', 'text/plain'],
    ['bounce-dsn.eml', 'mailer-daemon@mx.corp.example', 'multipart/report'],
  ])('%s', async (name, from, contentType) => {
    const message = await parseFixture(name);
    expect(message.from?.address).toBe(from);
    expect(message.fromHeaderCount).toBe(1);
    expect(message.contentType).toBe(contentType);
    expect(message.messageId).toMatch(/^<[^<>]+>$/);
    expect(message.date).toMatch(/^2025-01-06T\d\d:\d\d:\d\d\.000Z$/);
    expect(message.text.length).toBeGreaterThan(0);
  });

  it('unfolds the subject and joins format=flowed soft line breaks (Thunderbird)', async () => {
    const message = await parseFixture('button-complete-thunderbird.eml');
    expect(message.subject).toBe(
      `Complete: Approve production deploy of Shop 4.2 [${FIXTURE_TOKENS.complete}]`,
    );
    expect(message.text).toContain(
      'smoke tests are green and the dashboard looks fine.\n\nTicket OPS-1234 closed.',
    );
    expect(message.from).toEqual({ address: 'alice@corp.example', name: 'Alice Example' });
    expect(message.to).toEqual([{ address: 'rc@corp.example', name: '' }]);
  });

  it('decodes quoted-printable and keeps a token that a soft line break split (Outlook)', async () => {
    const raw = readFixture('button-fail-outlook.eml').toString('latin1');
    expect(raw).toContain('Token: rc-k1-f7d3xq9m2pa4z-9gm4=\r\nc1yws7ke2fjx');
    const message = await parseFixture('button-fail-outlook.eml');
    expect(message.text).toContain(`Token: ${FIXTURE_TOKENS.fail}\n`);
    expect(message.text).toContain('erneut ausführen.');
    expect(findAnswerTokens(message.text).map((token) => token.text)).toEqual([
      FIXTURE_TOKENS.fail,
    ]);
    expect(message.html).toContain('<p class="MsoNormal">');
  });

  it('decodes RFC 2047 ISO-8859-1 words, a Latin-1 body and a punycode From', async () => {
    const message = await parseFixture('reply-iso-8859-1.eml');
    expect(message.subject).toBe('AW: Freigabe benötigt: Grüne Ampel für Shop 4.2');
    expect(message.headers.get('subject')).toEqual([message.subject]);
    expect(message.from).toEqual({ address: 'joerg@xn--mller-kva.example', name: 'Jörg Müller' });
    expect(message.text).toContain('Genehmigt. Schöne Grüße nach München!');
  });

  it('turns an HTML-only body into text with blockquotes as > lines (Apple Mail)', async () => {
    const message = await parseFixture('reply-html-only-apple.eml');
    expect(message.text).toMatch(/^Refusé : les tests de charge ne passent pas encore\.\n/);
    expect(message.text).toContain(
      '> Le 6 janv. 2025 à 09:12, Release Bot <rc@corp.example> a écrit',
    );
    expect(message.text).not.toContain('mailto:');
    expect(message.html).toContain('<blockquote type="cite">');
    expect(message.attachmentsCount).toBe(1);
    expect(message.attachmentTypes).toEqual(['image/png']);
  });

  it('keeps delivery-status parts as attachments of a bounce', async () => {
    const message = await parseFixture('bounce-dsn.eml');
    expect(message.attachmentTypes).toContain('message/delivery-status');
    expect(message.text).not.toContain('Reporting-MTA');
    expect(message.headers.get('return-path')).toEqual(['<>']);
  });

  it('splits References joined with commas (Exchange) and keeps In-Reply-To', async () => {
    const message = await parseFixture('reply-reject-outlook.eml');
    const requestId = `<${FIXTURE_TOKENS.reply}@rc.corp.example>`;
    expect(message.references).toEqual(['<CAB1x2y3z4@mail.corp.example>', requestId]);
    expect(message.inReplyTo).toEqual([requestId]);
  });
});

describe('parseInboundMessage on the client corpus: charsets, encodings, structures', () => {
  const corpus = (name: string) => parseFixture(`clients/${name}.eml`);

  it.each([
    ['apple-mail/plain-reply-ja-iso-2022-jp', '承認します。本番環境へのデプロイを進めてください。'],
    ['outlook-desktop/plain-reply-ja-shift-jis', '却下します。負荷試験がまだ完了していません。'],
    ['outlook-desktop/button-complete-gb2312', '已在生产环境部署完毕，监控一切正常。'],
    ['other/foxmail-plain-reply-gbk', '同意。喆哥已确认回滚方案，可以发布。'],
    ['other/the-bat-plain-reply-koi8-r', 'Одобрено. Выкатку можно начинать.'],
    ['other/claws-plain-reply-iso-8859-15', 'Das Budget von 2.000 € für den Zusatz-Cluster passt.'],
    [
      'windows-mail/plain-reply-de-windows-1252',
      'Freigegeben – die Lizenzkosten von 1.250 € sind genehmigt.',
    ],
    ['apple-mail/plain-reply-de-iso-8859-1', 'Grüße'],
  ])('decodes the body of %s', async (name, expected) => {
    expect((await corpus(name)).text).toContain(expected);
  });

  it('decodes RFC 2047 words in ISO-2022-JP, GB2312, GBK and KOI8-R', async () => {
    const japanese = await corpus('apple-mail/plain-reply-ja-iso-2022-jp');
    expect(japanese.subject).toBe('Re: Action required: 本番デプロイの承認 ― Shop 4.2');
    expect(japanese.from?.name).toBe('佐藤 花子');
    expect((await corpus('outlook-desktop/button-complete-gb2312')).from?.name).toBe('王伟');
    expect((await corpus('other/foxmail-plain-reply-gbk')).subject).toMatch(
      /^回复: Action required/,
    );
    expect((await corpus('other/the-bat-plain-reply-koi8-r')).from?.name).toBe('Ольга Смирнова');
  });

  it('joins a token that a Q-encoded subject split over two encoded words', async () => {
    const message = await corpus('thunderbird/button-complete-comment-de-flowed');
    expect(
      readFixture('clients/thunderbird/button-complete-comment-de-flowed.eml').toString(),
    ).toMatch(/=5brc-t1-c\w+\?=\r\n =\?UTF-8\?Q\?[\w-]+=5d\?=/);
    expect(findAnswerTokens(message.subject)).toHaveLength(1);
  });

  it('reads RFC 2231 file names, plain and continued', async () => {
    expect((await corpus('apple-mail/button-complete-attachment-rfc2231')).attachmentNames).toEqual(
      ['Bildschirmfoto 2025-01-06 um 09.15.32.png'],
    );
    expect((await corpus('thunderbird/plain-reply-attachment-rfc2231')).attachmentNames).toEqual([
      'deploy-log-übersicht-2025-01-06-production-eu-west-1-canary.txt',
    ]);
  });

  it('joins format=flowed lines, with delsp=yes deleting the space before a soft break', async () => {
    const message = await corpus('apple-mail/button-fail-comment-flowed');
    expect(message.text).toContain('since 09:05; I am rolling back');
    expect(message.text).toContain('has looked at it.');
  });

  it('reads Yahoo’s HTML instead of its lossy text part, without hidden preview text', async () => {
    const message = await corpus('yahoo/plain-reply-en');
    expect(readFixture('clients/yahoo/plain-reply-en.eml').toString()).toContain(
      ' Approved.Thanks, Mia',
    );
    expect(message.text.startsWith('Approved.\nThanks, Mia\n')).toBe(true);
    expect(message.text).toContain('> On Monday, January 6, 2025');
    expect(message.text).not.toContain(
      'A task in a release pipeline is waiting for your decision. Approve',
    );
  });

  it('renders one <div><br></div> as one empty line', async () => {
    const message = await corpus('ios-mail/plain-reply-nl-html-only');
    expect(message.text).toMatch(/^Akkoord, ga je gang\.\n\s*\nGroet,\nSanne\n/);
  });

  it('returns a result for client fixtures truncated at many points', async () => {
    for (const name of [
      'apple-mail/button-complete-attachment-rfc2231',
      'outlook-desktop/plain-reply-ja-shift-jis',
      'thunderbird/plain-reply-attachment-rfc2231',
      'yahoo/plain-reply-en',
    ]) {
      const raw = readFixture(`clients/${name}.eml`);
      const step = Math.ceil(raw.length / 60);
      for (let end = 0; end < raw.length; end += step) {
        expect(typeof (await parseInboundMessage(raw.subarray(0, end))).ok).toBe('boolean');
      }
    }
  });
});

describe('parseInboundMessage header details', () => {
  it('splits "a, b" References with and without brackets, and drops In-Reply-To comments', async () => {
    const message = await parseRaw(
      rawMessage([
        'From: a@corp.example',
        'References: <a@x>,<b@y>, <c@z>',
        'References: d@w, e@v',
        "In-Reply-To: <x@y> (Alice's message of Mon, 6 Jan 2025)",
      ]),
    );
    expect(message.references).toEqual(['<a@x>', '<b@y>', '<c@z>', '<d@w>', '<e@v>']);
    expect(message.inReplyTo).toEqual(['<x@y>']);
  });

  it('converts an IDN From domain to punycode and lower-cases the address', async () => {
    const message = await parseRaw(
      rawMessage(['From: Jörg <Joerg.Mueller@Bücher.Example>', 'To: RC <RC@Corp.Example>']),
    );
    expect(message.from).toEqual({ address: 'joerg.mueller@xn--bcher-kva.example', name: 'Jörg' });
    expect(message.to).toEqual([{ address: 'rc@corp.example', name: 'RC' }]);
  });

  it('gives no From when it holds several mailboxes, or when there are several From fields', async () => {
    const two = await parseRaw(rawMessage(['From: a@corp.example, b@corp.example']));
    expect(two.from).toBeNull();
    expect(two.fromHeaderCount).toBe(2);
    const twice = await parseRaw(rawMessage(['From: a@corp.example', 'From: b@corp.example']));
    expect(twice.from).toBeNull();
    expect(twice.fromHeaderCount).toBe(2);
    const group = await parseRaw(rawMessage(['From: Team: a@corp.example, b@corp.example;']));
    expect(group.from).toBeNull();
    expect(group.fromHeaderCount).toBe(2);
    const none = await parseRaw(rawMessage(['To: rc@corp.example']));
    expect(none.from).toBeNull();
    expect(none.fromHeaderCount).toBe(0);
    const bare = await parseRaw(rawMessage(['From: nobody']));
    expect(bare.from).toBeNull();
  });

  it('flattens address groups in To and Cc and reads Reply-To', async () => {
    const message = await parseRaw(
      rawMessage([
        'From: a@corp.example',
        'To: undisclosed-recipients:;',
        'Cc: Team: B@corp.example, c@corp.example;, d@corp.example',
        'Reply-To: "Alice (ops)" <alice.ops@corp.example>',
      ]),
    );
    expect(message.to).toEqual([]);
    expect(message.cc.map((address) => address.address)).toEqual([
      'b@corp.example',
      'c@corp.example',
      'd@corp.example',
    ]);
    expect(message.replyTo).toEqual([{ address: 'alice.ops@corp.example', name: 'Alice (ops)' }]);
  });

  it('keeps every value of every header, unfolded, under lower-case names', async () => {
    const message = await parseFixture('button-complete-thunderbird.eml');
    expect(message.headers.get('received')).toEqual([
      'from mail.corp.example (mail.corp.example [192.0.2.10]) by mx.corp.example (Postfix) with ESMTPS id 4Y1n2k0xyz for <rc@corp.example>; Mon,  6 Jan 2025 09:20:11 +0100 (CET)',
    ]);
    expect(message.headers.get('user-agent')).toEqual(['Mozilla Thunderbird']);
    const raw = rawMessage(['From: a@corp.example', 'X-Tag: one', 'x-tag: two', 'X-Utf8: Grüße']);
    const multi = await parseRaw(raw);
    expect(multi.headers.get('x-tag')).toEqual(['one', 'two']);
    expect(multi.headers.get('x-utf8')).toEqual(['Grüße']);
  });

  it('reports absent or unparseable dates as null, and no subject as empty', async () => {
    const absent = await parseRaw(rawMessage(['From: a@corp.example']));
    expect(absent.date).toBeNull();
    expect(absent.subject).toBe('');
    expect(absent.messageId).toBeNull();
    expect(absent.contentType).toBe('text/plain');
    const invalid = await parseRaw(rawMessage(['From: a@corp.example', 'Date: next tuesday-ish']));
    expect(invalid.date).toBeNull();
  });

  it('survives an unknown charset and broken encodings', async () => {
    const message = await parseRaw(
      rawMessage(
        [
          'From: a@corp.example',
          'Subject: =?x-unknown?Q?caf=E9?= =?utf-8?B?!!!?=',
          'Content-Type: text/plain; charset=x-no-such-charset',
          'Content-Transfer-Encoding: base64',
        ],
        'not base64 at all ~~~\n',
      ),
    );
    expect(typeof message.subject).toBe('string');
    expect(typeof message.text).toBe('string');
  });
});

describe('parseInboundMessage never throws', () => {
  it('calls input without a header section malformed', async () => {
    for (const raw of [
      readFixture('malformed-no-headers.eml'),
      Buffer.alloc(0),
      Buffer.from('\r\n\r\nbody only'),
      Buffer.from(' folded: continuation first\r\n\r\n'),
      Buffer.from(': empty name\r\n\r\n'),
    ]) {
      const result = await parseInboundMessage(raw);
      expect(result).toMatchObject({ ok: false, reason: 'malformed' });
    }
    const notABuffer = await parseInboundMessage('From: a@b' as unknown as Buffer);
    expect(notABuffer.ok).toBe(false);
  });

  it('returns a result for 2,000 random byte buffers', async () => {
    let ok = 0;
    for (let round = 0; round < 2000; round++) {
      const random = randomBytes(round % 400);
      // Half start like a message so that mailparser itself gets to chew on the rest.
      const raw =
        round % 2 === 0
          ? random
          : Buffer.concat([Buffer.from('Content-Type: multipart/mixed; boundary=x\r\n'), random]);
      const result = await parseInboundMessage(raw);
      expect(typeof result.ok).toBe('boolean');
      if (result.ok) ok++;
      else expect(result.detail.length).toBeGreaterThan(0);
    }
    expect(ok).toBeGreaterThan(0);
  });

  it('returns a result for every fixture truncated at many points', async () => {
    const names = readdirSync(FIXTURES).filter((name) => name.endsWith('.eml'));
    for (const name of names) {
      const raw = readFixture(name);
      for (let end = 0; end < raw.length; end += 37) {
        const result = await parseInboundMessage(raw.subarray(0, end));
        expect(typeof result.ok).toBe('boolean');
      }
    }
  });

  it('returns a result for fixtures with random bytes spliced in', async () => {
    const raw = readFixture('button-fail-outlook.eml');
    for (let round = 0; round < 300; round++) {
      const at = (round * 97) % raw.length;
      const mangled = Buffer.concat([
        raw.subarray(0, at),
        randomBytes(1 + (round % 64)),
        raw.subarray(at),
      ]);
      const result = await parseInboundMessage(mangled);
      expect(typeof result.ok).toBe('boolean');
    }
  });
});

describe('headerSection', () => {
  it('cuts a raw message at the blank line, CRLF or LF, and caps one that never ends', () => {
    const crlf = Buffer.from('From: a@corp.example\r\nSubject: Big\r\n\r\nbody');
    expect(headerSection(crlf).toString()).toBe('From: a@corp.example\r\nSubject: Big\r\n');
    const lf = Buffer.from('From: a@corp.example\nSubject: Big\n\nbody\n\nmore');
    expect(headerSection(lf).toString()).toBe('From: a@corp.example\nSubject: Big\n');
    const endless = Buffer.from(`From: a@corp.example\r\n${'X: y\r\n'.repeat(60_000)}`);
    expect(headerSection(endless).length).toBe(MAX_HEADER_BYTES);
  });
});
