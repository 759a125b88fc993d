import { describe, expect, it } from 'vitest';
import { mintAnswerToken, parseSigningKeys } from '@rc/tokens';
import {
  buildAnswerMailto,
  buildAnswerTemplate,
  extractComment,
  MARKER_LINE_PATTERN,
  TEMPLATE_LOCALES,
  templateLocale,
  understandAnswer,
} from '../src/index';
import { parseRaw } from './helpers';

const { keyring } = parseSigningKeys(`t1:${'e'.repeat(40)}`);
const tokenFor = (action: 'complete' | 'fail') => mintAnswerToken(keyring!, action, 'abcdefghjkmn');

/** What a mail client does with a button's link (RFC 6068), then the person's typing on top. */
function answerFromMailto(href: string, comment: string): string {
  const url = new URL(href);
  const subject = url.searchParams.get('subject') ?? '';
  const body = url.searchParams.get('body') ?? '';
  return [
    'From: alice@corp.example',
    `To: ${decodeURIComponent(url.pathname)}`,
    // RFC 2047, as a client writes a non-ASCII subject
    `Subject: =?UTF-8?B?${Buffer.from(subject, 'utf8').toString('base64')}?=`,
    'Message-ID: <answer-1@corp.example>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    `${comment}\r\n${body}`,
  ].join('\r\n');
}

describe('the answer template in every locale', () => {
  it('knows the seven languages whose replies we read, and maps tags to them', () => {
    expect([...TEMPLATE_LOCALES].sort()).toEqual(['de', 'en', 'es', 'fr', 'ja', 'nl', 'pt']);
    expect(templateLocale('pt-BR')).toBe('pt');
    expect(templateLocale('pt_PT')).toBe('pt');
    expect(templateLocale('ja-JP')).toBe('ja');
    expect(templateLocale('FR-ca')).toBe('fr');
    expect(templateLocale('es-419')).toBe('es');
    expect(templateLocale('nl-BE')).toBe('nl');
    expect(templateLocale('it')).toBe('en');
    expect(templateLocale('ptx')).toBe('en');
    expect(templateLocale('constructor')).toBe('en');
    expect(templateLocale(undefined)).toBe('en');
  });

  it.each(TEMPLATE_LOCALES)('%s: a marker a collapsed webmail body still finds', (locale) => {
    const { body } = buildAnswerTemplate({ action: 'fail', token: 'tok', title: 'x', locale });
    const marker = body.split('\r\n').find((line) => MARKER_LINE_PATTERN.test(line)) ?? '';
    // comment.ts looks back at most 80 characters, over no dash, from the tag to the dashes.
    const words = /^-{5} (.*) \[rc:comment-above\] -{5}$/.exec(marker)?.[1] ?? '';
    expect(words.length).toBeGreaterThan(0);
    expect(words.length).toBeLessThanOrEqual(78);
    expect(words).not.toContain('-');
    const collapsed = `Ship it. ${body.replace(/\r\n/g, ' ')}`;
    expect(extractComment(collapsed)).toBe('Ship it.');
  });

  it.each(TEMPLATE_LOCALES)(
    '%s: both buttons give answers whose action, token and comment are understood',
    async (locale) => {
      for (const action of ['complete', 'fail'] as const) {
        const token = tokenFor(action);
        const href = buildAnswerMailto('answers@corp.example', {
          action,
          token,
          title: 'Déploiement 本番 — Shop 4.2',
          locale,
        });
        const comment = 'Vu avec l’équipe. 確認しました。\r\n\r\nAlice';
        const message = await parseRaw(answerFromMailto(href, comment));
        expect(message.subject).toContain(`[${token}]`);
        const understood = understandAnswer(message);
        expect(understood).toMatchObject({ action, actionSource: 'token' });
        expect(understood.comment).toBe('Vu avec l’équipe. 確認しました。\n\nAlice');
        expect(understood.tokens.direct.map((found) => found.text)).toEqual([token]);
      }
    },
  );

  it.each(TEMPLATE_LOCALES)('%s: the mailto: link is plain ASCII and round-trips', (locale) => {
    const title = 'リリース 4.2 を本番環境へ & "quotes" ?=#%';
    const href = buildAnswerMailto('answers@corp.example', {
      action: 'complete',
      token: 'rc-t1-c7d3xq9m2pa4z-h5k8w2ndr6tq0v3b',
      title,
      locale,
    });
    // RFC 6068: everything outside the unreserved set is percent-encoded UTF-8.
    expect(href).toMatch(
      /^mailto:answers@corp\.example\?subject=[A-Za-z0-9%._~!*'()-]+&body=[A-Za-z0-9%._~!*'()-]+$/,
    );
    const url = new URL(href);
    const expected = buildAnswerTemplate({
      action: 'complete',
      token: 'rc-t1-c7d3xq9m2pa4z-h5k8w2ndr6tq0v3b',
      title,
      locale,
    });
    expect(url.searchParams.get('subject')).toBe(expected.subject);
    expect(url.searchParams.get('body')).toBe(expected.body);
    expect(expected.body).toContain('\r\n');
  });

  it('keeps a long Japanese title short enough for every mailto: handler (about 2000 characters)', () => {
    const token = 'rc-t1-c7d3xq9m2pa4z-h5k8w2ndr6tq0v3b';
    const href = buildAnswerMailto('answers@corp.example', {
      action: 'fail',
      token,
      title: '本番環境へのリリース承認'.repeat(30),
      locale: 'ja',
    });
    expect(href.length).toBeLessThanOrEqual(2000);
    const { subject } = buildAnswerTemplate({
      action: 'fail',
      token,
      title: 'é'.repeat(200),
      locale: 'fr',
    });
    expect(subject).toBe(`Rejeter: ${'é'.repeat(120)} [${token}]`);
    // ASCII titles are cut at 120 characters, as before.
    const ascii = buildAnswerTemplate({ action: 'fail', token, title: 'x'.repeat(200) });
    expect(ascii.subject).toBe(`Fail: ${'x'.repeat(120)} [${token}]`);
  });

  it('never cuts a title inside a surrogate pair (an emoji at the limit)', () => {
    const title = `${'x'.repeat(119)}🚀 launch`;
    const { subject } = buildAnswerTemplate({ action: 'complete', token: 't', title });
    expect(subject).toBe(`Complete: ${'x'.repeat(119)}🚀 [t]`);
    expect(() =>
      buildAnswerMailto('a@corp.example', {
        action: 'complete',
        token: 't',
        title: `${'x'.repeat(119)}🚀`,
      }),
    ).not.toThrow();
  });
});
