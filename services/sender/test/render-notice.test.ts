import { REJECTION_REASONS, type Notice, type RejectionReason } from '@rc/contracts';
import { detectReplyAction, TEMPLATE_LOCALES } from '@rc/mail';
import { describe, expect, it } from 'vitest';
import { renderNotice } from '../src/render/notice';
import { LOCALES } from '../src/render/strings';

/**
 * Notices are rendered here from the facts the verifier (rejections) and the task-updater
 * (confirmations) queue. The English expectations are the ones those services' tests held
 * when they still wrote the text themselves.
 */

const request = {
  requestId: 'req-1',
  taskId: 'Release1-Phase2-Task3',
  title: 'Approve production deploy',
  expiresAt: '2026-11-29T14:00:00.000Z',
};
type Rejection = Extract<Notice, { type: 'rejection' }>;
const rejection = (facts: Omit<Rejection, 'type'>): Notice => ({ type: 'rejection', ...facts });
const confirmation = (facts: Partial<Extract<Notice, { type: 'confirmation' }>> = {}): Notice => ({
  type: 'confirmation',
  request,
  action: 'complete',
  engineResult: 'done',
  comment: 'Ship it.',
  ...facts,
});

describe('rejection notices (English)', () => {
  it('expired: names the request, its expiry, the reason code and the answer, word for word', () => {
    const { subject, text } = renderNotice(
      rejection({ reason: 'expired', request, answerMessageId: '<late-answer@corp.example>' }),
    );
    expect(subject).toBe(`Not applied: ${request.title}`);
    expect(text).toContain(`expired at ${request.expiresAt}`);
    expect(text).toContain('Reason code: expired');
    expect(text).toBe(
      [
        'Hello,',
        '',
        'Your answer to "Approve production deploy" (task Release1-Phase2-Task3) was not applied.',
        '',
        'The request expired at 2026-11-29T14:00:00.000Z, before your answer arrived. If the task still needs a decision, ask its owner for a new request.',
        '',
        'Nothing was changed in the release engine.',
        '',
        'Reason code: expired',
        'Your email: <late-answer@corp.example>',
        '',
        'This message was sent automatically by the remote completion service.',
        '',
      ].join('\n'),
    );
  });

  it('already_decided: tells who decided first and when', () => {
    const { text } = renderNotice(
      rejection({
        reason: 'already_decided',
        request,
        decision: {
          action: 'complete',
          actor: 'n-first@corp.example',
          decidedAt: '2026-11-20T09:00:00.000Z',
        },
      }),
    );
    expect(text).toContain(
      'already been completed by n-first@corp.example at 2026-11-20T09:00:00.000Z',
    );
    expect(text).toContain('Reason code: already_decided');
    expect(renderNotice(rejection({ reason: 'already_decided', request })).text).toContain(
      'already been decided by an earlier answer',
    );
  });

  it('sender_mismatch: does not say whose link it was', () => {
    const { text } = renderNotice(rejection({ reason: 'sender_mismatch', request }));
    expect(text).toContain('was sent to another person');
    expect(text).not.toContain('@');
  });

  it('cancelled: says when, if known', () => {
    const at = '2026-11-21T10:00:00.000Z';
    expect(
      renderNotice(rejection({ reason: 'cancelled', request, cancelledAt: at })).text,
    ).toContain(`The request was withdrawn at ${at}: the task was done elsewhere or reassigned.`);
    expect(renderNotice(rejection({ reason: 'cancelled', request })).text).toContain(
      'The request was withdrawn: the task',
    );
  });

  it('without a request: the generic subject, no request named, no "Your email" line without its id', () => {
    const { subject, text } = renderNotice(rejection({ reason: 'no_token' }));
    expect(subject).toBe('Your email was not processed');
    expect(text).toContain('Your email was not applied.');
    expect(text).toContain('Reason code: no_token');
    expect(text).not.toContain('Your email: ');
  });

  it('never lets a title break the subject header', () => {
    const { subject } = renderNotice(
      rejection({
        reason: 'expired',
        request: { ...request, title: 'Deploy\r\nBcc: x@evil.example' },
      }),
    );
    expect(subject).toBe('Not applied: Deploy Bcc: x@evil.example');
  });
});

describe('confirmation notices (English)', () => {
  it('completed, failed and recorded subjects and texts', () => {
    const done = renderNotice(confirmation());
    expect(done.subject).toBe('Completed: Approve production deploy');
    expect(done.text).toBe(
      [
        'Hello,',
        '',
        'your answer was applied: the task "Approve production deploy" (task Release1-Phase2-Task3) was marked completed in the release engine.',
        '',
        'Your comment:',
        'Ship it.',
        '',
        'If you did not send this answer, tell your release team at once.',
        '',
        'This message was sent automatically by the remote completion service.',
        '',
      ].join('\n'),
    );
    const failed = renderNotice(confirmation({ action: 'fail', comment: '' }));
    expect(failed.subject).toBe('Failed: Approve production deploy');
    expect(failed.text).toContain('was marked failed in the release engine.');
    expect(failed.text).not.toContain('Your comment:');
    const recorded = renderNotice(confirmation({ engineResult: 'already_done' }));
    expect(recorded.subject).toBe('Recorded: Approve production deploy');
    expect(recorded.text).toContain(
      'your answer to "Approve production deploy" (task Release1-Phase2-Task3) was recorded; the release engine reports that the task had already been closed.',
    );
  });
});

describe('in the request locale', () => {
  const de = { ...request, locale: 'de' };

  it('German rejection: translated words, the same facts and the untranslated reason code', () => {
    const { subject, text } = renderNotice(
      rejection({
        reason: 'already_decided',
        request: de,
        decision: { action: 'fail', actor: 'bob@corp.example', decidedAt: '2026-11-20T09:00:00Z' },
        answerMessageId: '<a@corp.example>',
      }),
    );
    expect(subject).toBe('Nicht angewendet: Approve production deploy');
    expect(text.startsWith('Hallo,\n\nIhre Antwort auf „Approve production deploy“')).toBe(true);
    expect(text).toContain(
      'von bob@corp.example am 2026-11-20T09:00:00Z als fehlgeschlagen markiert',
    );
    expect(text).toContain('In der Release-Engine wurde nichts geändert.');
    expect(text).toContain('Grund (Code): already_decided');
    expect(text).toContain('Ihre E-Mail: <a@corp.example>');
  });

  it('German confirmation; a regional variant (de-AT) and an unknown locale fall back sensibly', () => {
    const done = renderNotice(confirmation({ request: de }));
    expect(done.subject).toBe('Abgeschlossen: Approve production deploy');
    expect(done.text).toContain('als abgeschlossen markiert');
    expect(done.text).toContain('Ihr Kommentar:\nShip it.');
    expect(done.text).toContain('informieren Sie sofort Ihr Release-Team');
    expect(
      renderNotice(
        confirmation({ request: { ...request, locale: 'de-AT' }, engineResult: 'already_done' }),
      ).subject,
    ).toBe('Erfasst: Approve production deploy');
    expect(renderNotice(confirmation({ request: { ...request, locale: 'it' } })).subject).toBe(
      'Completed: Approve production deploy',
    );
  });

  it('every locale explains every reason code in its own words', () => {
    const reasons = Object.keys(REJECTION_REASONS) as RejectionReason[];
    const locales = Object.keys(LOCALES);
    expect(locales).toEqual([...TEMPLATE_LOCALES]);
    for (const reason of reasons) {
      const texts = locales.map(
        (locale) => renderNotice(rejection({ reason, request: { ...request, locale } })).text,
      );
      for (const text of texts) expect(text).toContain(reason);
      expect(new Set(texts).size).toBe(locales.length);
    }
  });
});

describe('every locale', () => {
  const others = TEMPLATE_LOCALES.filter((locale) => locale !== 'en');
  const english = LOCALES.en.notice;
  const decided: Notice = {
    type: 'decided',
    request,
    decision: { action: 'fail', actor: 'bob@corp.example', decidedAt: '2026-11-20T09:00:00Z' },
  };

  it.each(others)(
    '%s: no English left in rejections, confirmations and decided notes',
    (locale) => {
      const at = { ...request, locale };
      const notices: Notice[] = [
        ...(Object.keys(REJECTION_REASONS) as RejectionReason[]).map((reason) =>
          rejection({ reason, request: at, answerMessageId: '<a@corp.example>' }),
        ),
        confirmation({ request: at }),
        confirmation({ request: at, action: 'fail' }),
        confirmation({ request: at, engineResult: 'already_done' }),
        { ...decided, request: at },
      ];
      for (const notice of notices) {
        const { subject, text } = renderNotice(notice);
        expect(subject).toContain(request.title);
        expect(text.startsWith(`${LOCALES[locale].notice.greeting}\n`)).toBe(true);
        expect(text).toContain(LOCALES[locale].notice.footer);
        for (const sentence of [
          english.greeting,
          english.footer,
          english.rejection.nothingChanged,
          english.confirmation.notYou,
          'Your ',
          'Please ',
        ]) {
          expect(text).not.toContain(sentence);
        }
        expect(subject).not.toMatch(/^(Not applied|Completed|Failed|Recorded|Decided):/);
      }
    },
  );

  it.each(TEMPLATE_LOCALES)(
    '%s: a notice that points to a button names it as that locale’s email labels it',
    (locale) => {
      const { completeButton, failButton, replyKeywords } = LOCALES[locale].request;
      const at = { ...request, locale };
      for (const reason of ['bad_signature', 'no_token', 'no_action', 'malformed'] as const) {
        const { text } = renderNotice(rejection({ reason, request: at }));
        expect(text).toContain(completeButton);
        expect(text).toContain(failButton);
      }
      expect(renderNotice(rejection({ reason: 'reason_required', request: at })).text).toContain(
        failButton,
      );
      // The reply words a no_action notice suggests are understood when someone follows them.
      const { text } = renderNotice(rejection({ reason: 'no_action', request: at }));
      expect(text).toContain(replyKeywords.complete);
      expect(text).toContain(replyKeywords.fail);
      expect(detectReplyAction(replyKeywords.complete)).toBe('complete');
      expect(detectReplyAction(replyKeywords.fail)).toBe('fail');
    },
  );

  it.each(TEMPLATE_LOCALES)('%s: the facts survive translation', (locale) => {
    const at = { ...request, locale };
    const late = renderNotice(rejection({ reason: 'expired', request: at })).text;
    expect(late).toContain(request.expiresAt);
    expect(late).toContain(request.taskId);
    expect(late).toContain('expired');
    const first = renderNotice(
      rejection({
        reason: 'already_decided',
        request: at,
        decision: {
          action: 'complete',
          actor: 'n-first@corp.example',
          decidedAt: '2026-11-20T09:00:00Z',
        },
      }),
    ).text;
    expect(first).toContain('n-first@corp.example');
    expect(first).toContain('2026-11-20T09:00:00Z');
    const note = renderNotice({ ...decided, request: at }).text;
    expect(note).toContain('bob@corp.example');
    expect(note).toContain('2026-11-20T09:00:00Z');
    expect(note).toContain(request.title);
    const done = renderNotice(confirmation({ request: at, comment: 'Ship it.\nNow.' })).text;
    expect(done).toContain('Ship it.\nNow.');
    expect(done).toContain(request.taskId);
  });
});
