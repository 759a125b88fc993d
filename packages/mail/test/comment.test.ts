import { describe, expect, it } from 'vitest';
import { buildAnswerTemplate, extractComment, MAX_COMMENT_LENGTH } from '../src/index';
import { parseFixture, parseRaw, rawMessage } from './helpers';

const TOKEN = 'rc-k1-c7d3xq9m2pa4z-h5k8w2ndr6tq0v3b';

describe('extractComment on the fixture corpus', () => {
  it.each([
    [
      'button-complete-thunderbird.eml',
      'Deployed to production at 14:02 CET, smoke tests are green and the dashboard looks fine.\n\nTicket OPS-1234 closed.',
    ],
    [
      'button-fail-outlook.eml',
      'Build ist rot, Rollback eingeleitet. Bitte nicht vor Montag erneut ausführen.',
    ],
    ['reply-approve-gmail.eml', 'Approved, go ahead.\n\nCarol'],
    [
      'reply-html-only-apple.eml',
      'Refusé : les tests de charge ne passent pas encore.\n\n\nMerci,\nDominique',
    ],
    ['reply-reject-outlook.eml', 'Rejected - the change window is closed until Monday.\n\nBob'],
    ['reply-iso-8859-1.eml', 'Genehmigt. Schöne Grüße nach München!\n\nJörg'],
  ])('%s', async (name, comment) => {
    expect(extractComment((await parseFixture(name)).text)).toBe(comment);
  });
});

describe('extractComment', () => {
  it('returns exactly what was typed above the marker of a button answer', async () => {
    for (const locale of ['en', 'de']) {
      const { subject, body } = buildAnswerTemplate({
        action: 'complete',
        token: TOKEN,
        title: 'Approve production deploy',
        locale,
      });
      const typed = 'Rolled out to all regions.\n\nSee https://status.corp.example/ for details.';
      const message = await parseRaw(
        rawMessage(['From: alice@corp.example', `Subject: ${subject}`], typed + body),
      );
      expect(extractComment(message.text)).toBe(typed);
    }
  });

  it('is empty for an untouched button answer', () => {
    const { body } = buildAnswerTemplate({ action: 'fail', token: TOKEN, title: 'x' });
    expect(extractComment(body)).toBe('');
  });

  it('cuts at a marker line that a client hard-wrapped or quoted', () => {
    const wrapped =
      'Go.\n\n----- Kommentar oberhalb dieser Zeile schreiben\n[rc:comment-above] -----\nAktion: complete';
    expect(extractComment(wrapped)).toBe('Go.');
    const quoted =
      'Go.\n> ----- Write your comment above this line [rc:comment-above] -----\n> Action: complete';
    expect(extractComment(quoted)).toBe('Go.');
    const brokenTag = 'Go.\n----- Write your comment above this line [rc:comment-\nabove] -----';
    expect(extractComment(brokenTag)).toBe('Go.');
  });

  it.each([
    ['On Mon, 6 Jan 2025 at 09:12, Bot <rc@corp.example> wrote:\n> quoted'],
    ['On Mon, 6 Jan 2025 at 09:12, Release Bot <\nrc@corp.example> wrote:\n\n> quoted'],
    ['Am 06.01.2025 um 09:12 schrieb Release Bot <rc@corp.example>:\n> zitiert'],
    ['Le lun. 6 janv. 2025 à 09:12, Release Bot <rc@corp.example> a écrit :\n> cité'],
    ['El lun, 6 ene 2025 a las 9:12, Release Bot (<rc@corp.example>) escribió:\n> citado'],
    ['Op ma 6 jan 2025 om 09:12 schreef Release Bot <rc@corp.example>:\n> geciteerd'],
    ['Em seg., 6 de jan. de 2025 às 09:12, Release Bot <rc@corp.example> escreveu:\n> citado'],
    ['Il giorno lun 6 gen 2025 alle ore 09:12 Release Bot <rc@corp.example> ha scritto:\n> x'],
    ['Release Bot wrote:\n> quoted'],
    [
      'From: Release Bot <rc@corp.example>\nSent: Monday, January 6, 2025 9:12 AM\nTo: Bob\nSubject: x\n\nold text',
    ],
    [
      '________________________________\nVon: Release Bot <rc@corp.example>\nGesendet: Montag, 6. Januar 2025 09:12\nAn: Bob\n\nalter Text',
    ],
    [
      'De : Release Bot <rc@corp.example>\nEnvoyé : lundi 6 janvier 2025 09:12\nÀ : Bob\n\nancien texte',
    ],
    ['-----Original Message-----\nFrom: Release Bot\nold text'],
    ['-----Ursprüngliche Nachricht-----\nVon: Release Bot\nalter Text'],
    ['---------- Forwarded message ---------\nFrom: Release Bot <rc@corp.example>\nold text'],
    ['Begin forwarded message:\n\nFrom: Release Bot'],
    ['-- \nAlice Example\nRelease Manager'],
    ['--\nAlice Example'],
  ])('removes quoted history and signatures: %j', (tail) => {
    expect(extractComment(`Approved, go ahead.\n\n${tail}`)).toBe('Approved, go ahead.');
  });

  it.each([
    'Sent from my iPhone',
    'Sent from my Galaxy S24',
    'Von meinem iPhone gesendet',
    'Get Outlook for iOS',
    'Get Outlook for Android',
    'Envoyé de mon iPhone',
    'Enviado desde mi iPhone',
    'Verzonden vanaf mijn iPhone',
    'Enviado do meu iPhone',
  ])('removes the %j line', (footer) => {
    expect(extractComment(`Approved.\n\n${footer}\n`)).toBe('Approved.');
  });

  it('keeps sentences that merely start like a footer', () => {
    const text = "Sent from my phone because I'm travelling: approved.";
    expect(extractComment(text)).toBe(text);
  });

  it('drops interleaved quote lines and keeps the person’s lines between them', () => {
    expect(extractComment('> Can you approve?\nYes.\n> And the hotfix?\nThat too.')).toBe(
      'Yes.\nThat too.',
    );
  });

  it('trims, normalises line ends and collapses runs of 3+ blank lines', () => {
    expect(extractComment('\r\n\r\n  Approved.  \r\n\r\n\r\n\r\n\r\nThanks\r\n\r\n')).toBe(
      'Approved.\n\nThanks',
    );
    expect(extractComment('a\n\n\nb')).toBe('a\n\n\nb');
    expect(extractComment('a\n \n\t\n  \nb')).toBe('a\n\nb');
  });

  it(`keeps at most ${MAX_COMMENT_LENGTH} characters, never half a surrogate pair`, () => {
    expect(extractComment('x'.repeat(10_000))).toHaveLength(MAX_COMMENT_LENGTH);
    const emoji = `${'x'.repeat(MAX_COMMENT_LENGTH - 1)}😀😀`;
    const cut = extractComment(emoji);
    expect(cut.length).toBeLessThanOrEqual(MAX_COMMENT_LENGTH);
    expect(cut.endsWith('\ud83d')).toBe(false);
  });
});
