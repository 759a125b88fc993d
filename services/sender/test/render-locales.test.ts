import {
  parseInboundMessage,
  TEMPLATE_LOCALES,
  understandAnswer,
  type TemplateLocale,
} from '@rc/mail';
import { buttonAnswerMime, readRequestEmail } from '@rc/testkit';
import { mintAnswerToken, parseSigningKeys } from '@rc/tokens';
import { describe, expect, it } from 'vitest';
import { buildMime } from '../src/adapters/build-mime';
import { OUTBOUND_HEADERS } from '../src/adapters/mail-transport';
import { renderRequestEmail, type RequestEmailInput } from '../src/render/request-email';
import { LOCALES, REQUEST_EMAIL_STRINGS } from '../src/render/strings';
import { timerStrings } from '../src/timers/timer-texts';

/**
 * The request email in each language, as it leaves (MIME bytes through the sender's one
 * builder) and as it comes back: the assignee's client opens a button's mailto: link, the
 * person types a comment in their language, and the parser must still find the token, the
 * action and the comment.
 */

const { keyring } = parseSigningKeys(`t1:${'d'.repeat(40)}`);
const tokens = {
  complete: mintAnswerToken(keyring!, 'complete', 'mkq3v7x2pa9z'),
  fail: mintAnswerToken(keyring!, 'fail', 'mkq3v7x2pa9z'),
};

const input: RequestEmailInput = {
  title: 'Déploiement en production — 本番リリース',
  description: 'Vérifier le canari.\n先にカナリアを確認してください。',
  taskId: 'Applications/Release1/Phase2/Task3',
  release: { id: 'Release1', title: 'Shop 4.2' },
  assignee: { email: 'alice@corp.example', name: 'Alice Exemple' },
  mailboxAddress: 'answers@corp.example',
  tokens,
  expiresAt: '2026-11-29T14:00:00.000Z',
};

/** What a person types above the marker, in the email's language. */
const COMMENTS: Record<TemplateLocale, string> = {
  en: 'Smoke tests are green.',
  de: 'Smoke-Tests sind grün, danke!',
  fr: 'Les tests de fumée sont au vert, merci\u00a0!',
  es: 'Las pruebas básicas están en verde. ¡Gracias!',
  nl: 'De smoketests zijn groen, bedankt.',
  pt: 'Os testes básicos passaram. Obrigado!',
  ja: 'スモークテストは問題ありません。よろしくお願いします。',
};

function mailOf(locale: string) {
  const rendered = renderRequestEmail({ ...input, locale });
  return {
    rendered,
    mime: buildMime({
      from: '"Release Bot" <answers@corp.example>',
      to: { address: input.assignee.email, name: input.assignee.name },
      replyTo: input.mailboxAddress,
      subject: rendered.subject,
      text: rendered.text,
      html: rendered.html,
      messageId: '<rc-t1-r0123456789ab-0123456789abcdef@corp.example>',
      headers: { ...OUTBOUND_HEADERS },
    }),
  };
}

describe('the request email in every locale', () => {
  it.each(TEMPLATE_LOCALES)(
    '%s: leaves as 7-bit MIME, reads back intact, and both buttons answer',
    async (locale) => {
      const strings = REQUEST_EMAIL_STRINGS[locale];
      const { rendered, mime } = mailOf(locale);
      const raw = await mime;
      // 7-bit on the wire: UTF-8 only inside encoded words and quoted-printable / base64 parts.
      expect(raw.toString('latin1')).toMatch(/^[\t\r\n\x20-\x7e]*$/);
      const headerBlock = raw.toString('latin1').split('\r\n\r\n')[0] ?? '';
      for (const line of headerBlock.split('\r\n')) expect(line.length).toBeLessThanOrEqual(78);
      expect(headerBlock).toMatch(/^Subject: =\?UTF-8\?[BQ]\?/im);

      const parsed = await parseInboundMessage(raw);
      if (!parsed.ok) throw new Error(parsed.detail);
      expect(parsed.message.subject).toBe(rendered.subject);
      expect(parsed.message.subject.startsWith(`${strings.subjectPrefix}: `)).toBe(true);
      expect(parsed.message.text).toContain(strings.greeting('Alice Exemple'));
      expect(parsed.message.text).toContain(strings.plainReply);

      // readRequestEmail (the testkit's assignee) finds the links by line, whatever the labels.
      const email = await readRequestEmail(raw);
      const lines = rendered.text.split('\n');
      expect(lines).toContain(`${strings.completeButton}: ${email.completeLink}`);
      expect(lines).toContain(`${strings.failButton}: ${email.failLink}`);
      expect(rendered.html).toContain(`>${strings.completeButton}</a>`);
      expect(rendered.html).toContain(`>${strings.failButton}</a>`);
      expect(rendered.html.indexOf(strings.completeButton)).toBeLessThan(
        rendered.html.indexOf(strings.failButton),
      );

      for (const [action, link] of [
        ['complete', email.completeLink],
        ['fail', email.failLink],
      ] as const) {
        const answer = await parseInboundMessage(
          await buttonAnswerMime('alice@corp.example', link, `${COMMENTS[locale]}\r\n`),
        );
        if (!answer.ok) throw new Error(answer.detail);
        expect(answer.message.subject).toContain(`[${tokens[action]}]`);
        expect(understandAnswer(answer.message)).toMatchObject({
          action,
          actionSource: 'token',
          comment: COMMENTS[locale],
        });
      }
    },
  );

  it('translates the buttons everywhere but in English, which keeps SPEC 3.3’s words', () => {
    expect(REQUEST_EMAIL_STRINGS.en.completeButton).toBe('Complete task');
    expect(REQUEST_EMAIL_STRINGS.en.failButton).toBe('Fail task');
    const labels = TEMPLATE_LOCALES.map((locale) => REQUEST_EMAIL_STRINGS[locale].completeButton);
    expect(new Set(labels).size).toBe(TEMPLATE_LOCALES.length);
    for (const locale of TEMPLATE_LOCALES.filter((locale) => locale !== 'en')) {
      const { text, html } = renderRequestEmail({ ...input, locale });
      expect(text).not.toContain('Complete task');
      expect(html).not.toContain('Fail task');
      expect(text).not.toMatch(/^Hello /m);
    }
  });

  it.each(TEMPLATE_LOCALES)(
    '%s: reminders and escalations speak the request’s language',
    (locale) => {
      const timers = timerStrings(locale);
      expect(timers).toBe(LOCALES[locale].timers);
      if (locale !== 'en') {
        expect(timers.reminder.subjectPrefix).not.toBe(timerStrings('en').reminder.subjectPrefix);
      }
      const lead = timers.escalation.lead('1d');
      expect(lead).toContain('1d');
      const { subject, text, html } = renderRequestEmail({
        ...input,
        locale,
        variant: { subjectPrefix: timers.escalation.subjectPrefix, lead },
      });
      expect(subject.startsWith(`${timers.escalation.subjectPrefix}: `)).toBe(true);
      expect(text).toContain(lead);
      expect(html).toContain(REQUEST_EMAIL_STRINGS[locale].completeButton);
    },
  );

  it('reads the locale as a BCP 47 tag: pt-BR and pt-PT are Portuguese, ja-JP Japanese', () => {
    for (const [tag, locale] of [
      ['pt-BR', 'pt'],
      ['pt-PT', 'pt'],
      ['ja-JP', 'ja'],
      ['fr-CA', 'fr'],
      ['es-MX', 'es'],
      ['nl-BE', 'nl'],
    ] as const) {
      const { subject, html } = renderRequestEmail({ ...input, locale: tag });
      expect(subject.startsWith(REQUEST_EMAIL_STRINGS[locale].subjectPrefix)).toBe(true);
      expect(html).toMatch(new RegExp(`<html lang="${locale}"[ >]`));
    }
  });

  it('ja: Japanese subject and body in UTF-8, with percent-encoded UTF-8 in the links', async () => {
    const { rendered, mime } = mailOf('ja');
    expect(rendered.subject).toBe('要対応: Déploiement en production — 本番リリース — Shop 4.2');
    expect(rendered.html).toContain('<meta charset="utf-8">');
    expect(rendered.text).toContain('Alice Exemple 様');
    expect(rendered.text).toContain('「タスクを完了する」：タスクを完了として記録します。');
    expect(rendered.text).toContain('回答期限: 2026-11-29 14:00 UTC');
    const email = await readRequestEmail(await mime);
    // RFC 6068: an ASCII-only URL; the Japanese words travel as %E5%AE%8C… (UTF-8).
    expect(email.completeLink).toMatch(/^mailto:answers@corp\.example\?subject=[\x21-\x7e]+$/);
    expect(email.completeLink).toContain(encodeURIComponent('完了: '));
    expect(email.completeLink).toContain(
      encodeURIComponent('この行より上にコメントを書いてください'),
    );
    const url = new URL(email.failLink);
    expect(url.searchParams.get('subject')).toBe(
      `却下: Déploiement en production — 本番リリース [${tokens.fail}]`,
    );
  });
});
