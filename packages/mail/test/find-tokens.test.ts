import { describe, expect, it } from 'vitest';
import {
  mintAnswerToken,
  parseSigningKeys,
  signedMessageId,
  verifyAnswerToken,
  type SigningKeyring,
} from '@rc/tokens';
import { buildAnswerTemplate, findMessageTokens } from '../src/index';
import { FIXTURE_TOKENS, messageWith, parseFixture, parseRaw, rawMessage } from './helpers';

const texts = (tokens: { text: string }[]): string[] => tokens.map((token) => token.text);

function testKeyring(): SigningKeyring {
  const { keyring, problems } = parseSigningKeys(`t1:${'k'.repeat(40)}`);
  expect(problems).toEqual([]);
  return keyring!;
}

describe('findMessageTokens on the fixture corpus', () => {
  it('finds the token of a button answer in subject and body once', async () => {
    const found = findMessageTokens(await parseFixture('button-complete-thunderbird.eml'));
    expect(texts(found.direct)).toEqual([FIXTURE_TOKENS.complete]);
    expect(found.direct[0]).toMatchObject({ kid: 'k1', action: 'complete', ref: '7d3xq9m2pa4z' });
    expect(found.referenced).toEqual([]);
    expect(found.quoted).toEqual([]);
  });

  it('finds the fail token of an Outlook answer (QP body, HTML alternative)', async () => {
    const found = findMessageTokens(await parseFixture('button-fail-outlook.eml'));
    expect(texts(found.direct)).toEqual([FIXTURE_TOKENS.fail]);
  });

  it.each(['reply-approve-gmail.eml', 'reply-html-only-apple.eml', 'reply-reject-outlook.eml'])(
    'keeps the buttons of the quoted request out of the direct tokens (%s)',
    async (name) => {
      const found = findMessageTokens(await parseFixture(name));
      expect(found.direct).toEqual([]);
      expect(texts(found.referenced)).toEqual([FIXTURE_TOKENS.reply]);
      expect(texts(found.quoted)).toEqual([FIXTURE_TOKENS.complete, FIXTURE_TOKENS.fail]);
    },
  );

  it('finds the request in In-Reply-To/References of a plain-text reply', async () => {
    const found = findMessageTokens(await parseFixture('reply-iso-8859-1.eml'));
    expect(found.direct).toEqual([]);
    expect(texts(found.referenced)).toEqual([FIXTURE_TOKENS.reply]);
    expect(found.referenced[0]?.action).toBe('reply');
  });
});

describe('findMessageTokens', () => {
  it('finds a minted token in a button answer that verifies with the key', async () => {
    const keyring = testKeyring();
    const token = mintAnswerToken(keyring, 'fail', 'abcdefghjkmn');
    const { subject, body } = buildAnswerTemplate({ action: 'fail', token, title: 'Deploy' });
    const message = await parseRaw(
      rawMessage(
        ['From: alice@corp.example', 'To: rc@corp.example', `Subject: ${subject}`],
        `Not today.${body}`,
      ),
    );
    const found = findMessageTokens(message);
    expect(texts(found.direct)).toEqual([token]);
    expect(verifyAnswerToken(keyring, found.direct[0]!)).toBe(true);
  });

  it('takes subject, then text, then HTML, without duplicates', () => {
    const a = 'rc-k1-c0000000000aa-0000000000000000';
    const b = 'rc-k1-f0000000000bb-0000000000000000';
    const c = 'rc-k1-c0000000000cc-0000000000000000';
    const found = findMessageTokens(
      messageWith({
        subject: `Complete: x [${b}]`,
        text: `see ${a} and ${b.toUpperCase()}`,
        html: `<a href="mailto:rc@corp.example?subject=%5B${c}%5D">${a}</a>`,
      }),
    );
    expect(texts(found.direct)).toEqual([b, a, c]);
  });

  it('finds percent-encoded tokens in hrefs the person sent', () => {
    const token = 'rc-k1-c0000000000aa-0000000000000000';
    const html = `<p>done</p><a href="mailto:rc@corp.example?body=Token%3A%20${token}%0D%0A">x</a>`;
    expect(texts(findMessageTokens(messageWith({ text: 'done', html })).direct)).toEqual([token]);
  });

  it('keeps our template below the marker as direct, also when a client quoted it', () => {
    const token = 'rc-k1-c0000000000aa-0000000000000000';
    const text = [
      'Looks fine.',
      '',
      '> ----- Write your comment above this line [rc:comment-above] -----',
      '> Action: complete',
      `> Token: ${token}`,
    ].join('\n');
    expect(texts(findMessageTokens(messageWith({ subject: 'x', text })).direct)).toEqual([token]);
  });

  it('lists only reply tokens from In-Reply-To, then References', async () => {
    const keyring = testKeyring();
    const first = signedMessageId(keyring, 'abcdefghjkm1', 'rc.corp.example');
    const second = signedMessageId(keyring, 'abcdefghjkm2', 'rc.corp.example');
    const notReply = '<rc-t1-cabcdefghjkm3-0000000000000000@rc.corp.example>';
    const message = await parseRaw(
      rawMessage([
        'From: a@corp.example',
        `In-Reply-To: ${second}`,
        `References: ${first}, ${notReply}, ${second}`,
      ]),
    );
    const found = findMessageTokens(message);
    expect(texts(found.referenced)).toEqual(
      [second, first].map((id) => id.slice(1, id.indexOf('@'))),
    );
    expect(found.referenced.every((token) => verifyAnswerToken(keyring, token))).toBe(true);
  });

  it('finds nothing in a message without tokens', () => {
    expect(findMessageTokens(messageWith({}))).toEqual({ direct: [], referenced: [], quoted: [] });
  });

  it.each([
    [
      'classic Outlook',
      '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">',
    ],
    [
      'Outlook 2010 / Outlook for Mac',
      "<div style='border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0in 0in 0in'>",
    ],
    ['Outlook for Mac', '<span id="OLK_SRC_BODY_SECTION">'],
  ])('counts the buttons below the %s header block as quoted', (_client, opening) => {
    const complete = 'rc-k1-c0000000000aa-0000000000000000';
    const fail = 'rc-k1-f0000000000aa-0000000000000000';
    const html =
      `<p class="MsoNormal">Approved</p>${opening}<p class="MsoNormal"><b>From:</b> Bot<br><b>Sent:</b> Monday</p></div>` +
      `<a href="mailto:rc@corp.example?subject=%5B${complete}%5D">Complete task</a>` +
      `<a href="mailto:rc@corp.example?subject=%5B${fail}%5D">Fail task</a>`;
    const found = findMessageTokens(messageWith({ subject: 'RE: x', text: 'Approved', html }));
    expect(found.direct).toEqual([]);
    expect(texts(found.quoted)).toEqual([complete, fail]);
  });

  it('counts a token written below the quote as the person’s own (bottom-posting)', () => {
    const quotedToken = 'rc-k1-c0000000000aa-0000000000000000';
    const ownToken = 'rc-k1-f0000000000aa-0000000000000000';
    const text = `On Mon, Bot wrote:\n> Complete: ${quotedToken}\n\nToken: ${ownToken}`;
    const found = findMessageTokens(messageWith({ subject: 'Re: x', text }));
    expect(texts(found.direct)).toEqual([ownToken]);
    expect(texts(found.quoted)).toEqual([quotedToken]);
  });
});
