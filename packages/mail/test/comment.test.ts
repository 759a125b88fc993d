import { describe, expect, it } from 'vitest';
import {
  buildAnswerTemplate,
  extractComment,
  MAX_COMMENT_LENGTH,
  TEMPLATE_LOCALES,
} from '../src/index';
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
      // One <div><br></div> is one empty line, as the person typed it.
      'Refusé : les tests de charge ne passent pas encore.\n\nMerci,\nDominique',
    ],
    ['reply-reject-outlook.eml', 'Rejected - the change window is closed until Monday.\n\nBob'],
    ['reply-iso-8859-1.eml', 'Genehmigt. Schöne Grüße nach München!\n\nJörg'],
  ])('%s', async (name, comment) => {
    expect(extractComment((await parseFixture(name)).text)).toBe(comment);
  });
});

describe('extractComment', () => {
  it('returns exactly what was typed above the marker of a button answer', async () => {
    for (const locale of TEMPLATE_LOCALES) {
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

describe('extractComment: answers written below the quote', () => {
  const quote = '> Hello Alice,\n> please complete or fail the task.\n>\n> Complete task: mailto:x';

  it('takes the answer below the quote when nothing was written above it (Thunderbird)', () => {
    expect(
      extractComment(`On 1/6/25 09:12, Release Bot wrote:\n${quote}\n\nApproved.\n\n-- \nAlice`),
    ).toBe('Approved.');
  });

  it('keeps a salutation above the quote together with the answer below it (The Bat!)', () => {
    expect(
      extractComment(
        `Здравствуйте, Release.\n\nВы писали 6 января 2025 г., 11:12:\n\n${quote}\n\nОдобрено.\n\n-- \nОльга`,
      ),
    ).toBe('Здравствуйте, Release.\n\nОдобрено.');
  });

  it('ignores a signature or a phone footer placed above the quote', () => {
    expect(extractComment(`-- \nAlice\n\nOn Mon, Bot wrote:\n${quote}\n\nRejected.`)).toBe(
      'Rejected.',
    );
    expect(
      extractComment(`Sent from my iPhone\n\nOn 6 Jan 2025, Bot wrote:\n${quote}\n\nApproved`),
    ).toBe('Approved');
  });

  it('keeps the top answer and ignores a footer a gateway appended after the quote', () => {
    expect(
      extractComment(
        `Approved.\n\nOn Mon, 6 Jan 2025 at 09:12, Bot <rc@corp.example> wrote:\n${quote}\n\nCONFIDENTIAL: this email is for its addressee only.`,
      ),
    ).toBe('Approved.');
  });

  it('collects answers interleaved below an attribution', () => {
    expect(
      extractComment(
        'On Mon, Bot wrote:\n> Can you approve?\nYes.\n> And the hotfix?\nThat too.\n',
      ),
    ).toBe('Yes.\nThat too.');
  });

  it('is empty when the person only quoted', () => {
    expect(extractComment(`On Mon, 6 Jan 2025, Bot <rc@corp.example> wrote:\n${quote}\n`)).toBe('');
  });

  it('stops below the quote at a hard boundary such as Outlook’s header block', () => {
    expect(
      extractComment(
        `On Mon, Bot wrote:\n${quote}\n\nApproved.\n\nFrom: Release Bot <rc@corp.example>\nSent: Monday\n\nolder mail`,
      ),
    ).toBe('Approved.');
  });
});

describe('extractComment: attributions and header blocks in many languages', () => {
  it.each([
    ['Release Bot <rc@corp.example> schrieb am Mo., 6. Jan. 2025, 09:12:'],
    ['Release Bot <rc@corp.example> 于2025年1月6日周一 16:12写道：'],
    ['2025年1月6日(月) 9:12 Release Bot <rc@corp.example>:'],
    ['пн, 6 янв. 2025 г. в 09:12, Release Bot <rc@corp.example>:'],
    ['Вы писали 6 января 2025 г., 11:12:'],
    ['Op 6 jan 2025 om 09:12 heeft Release Bot <rc@corp.example> het volgende geschreven:'],
    ['Release Bot さんは書きました:'],
  ])('removes the attribution %j and its quote', (attribution) => {
    expect(extractComment(`Approved.\n\n${attribution}\n\n> quoted\n> more`)).toBe('Approved.');
  });

  it('cuts at a known attribution even when the quote below it is not marked (Yahoo)', () => {
    expect(
      extractComment(
        'Approved.\n    On Monday, January 6, 2025 at 09:12:33 AM GMT+1, Release Bot <rc@corp.example> wrote:  \n \n Hello Mia,\n please decide.',
      ),
    ).toBe('Approved.');
    expect(
      extractComment(
        'Abgelehnt.\n\nAm Montag, 6. Januar 2025, 09:12:33 MEZ hat Release Bot <rc@corp.example> Folgendes geschrieben:\n\nHallo',
      ),
    ).toBe('Abgelehnt.');
  });

  it('keeps a line of the person’s own that ends in a colon before a quoted excerpt', () => {
    expect(extractComment('The log says:\n> checkout FAILED\nso rejecting.')).toBe(
      'The log says:\nso rejecting.',
    );
  });

  it.each([
    ['差出人: Release Bot <rc@corp.example>\n送信日時: 2025年1月6日 17:12\n宛先: 田中\n件名: x'],
    ['发件人: Release Bot <rc@corp.example>\n发送时间: 2025年1月6日 9:12\n收件人: 王伟\n主题: x'],
    ['От: Release Bot <rc@corp.example>\nОтправлено: 6 января 2025 г. 9:12\nКому: Ольга\nТема: x'],
    ['Från: Release Bot <rc@corp.example>\nSkickat: den 6 januari 2025 09:12\nTill: Erik'],
    ['Van: Release Bot <rc@corp.example>\nVerzonden: maandag 6 januari 2025 09:12\nAan: Pieter'],
    [
      '------------------ 原始邮件 ------------------\n发件人: "Release Bot"<rc@corp.example>;\n发送时间: 2025年1月6日',
    ],
    ['------------------ Original ------------------\nFrom: "Release Bot"<rc@corp.example>;'],
  ])('removes the header block %j', (block) => {
    expect(extractComment(`Approved.\n\n${block}\n\nHello,\nplease decide.`)).toBe('Approved.');
  });
});

describe('extractComment: mail apps’ footers', () => {
  it.each([
    'Get Outlook for iOS<https://aka.ms/o0ukef>',
    'Get Outlook for Android<https://aka.ms/ghei36>',
    'Obtener Outlook para Android<https://aka.ms/AAb9ysg>',
    'Outlook für Android herunterladen<https://aka.ms/ghei36>',
    'Sent from Mail<https://go.microsoft.com/fwlink/?LinkId=550986> for Windows',
    'Sent from Mail<https://go.microsoft.com/fwlink/?LinkId=550986> for Windows 10',
    'Gesendet von Mail<https://go.microsoft.com/fwlink/?LinkId=550986> für Windows',
    'Sent from Yahoo Mail on Android',
    'Sent from Yahoo Mail for iPhone',
    'Gesendet von Yahoo Mail für iPhone',
    'Verstuurd vanaf mijn iPhone',
    'Skickat från min iPhone',
    'Отправлено с iPhone',
    'iPhoneから送信',
    '发自我的iPhone',
  ])('removes %j', (footer) => {
    expect(extractComment(`Approved.\n\n${footer}\n`)).toBe('Approved.');
  });

  it('keeps a sentence that only mentions an app', () => {
    const text = 'Sent from Mail for Windows, which mangles everything: approved anyway.';
    expect(extractComment(text)).toBe(text);
  });
});

describe('extractComment: the marker line', () => {
  it('cuts at a marker that a mailto: handler put in the middle of one long line', () => {
    expect(
      extractComment(
        `Done, rolled out. ----- Write your comment above this line [rc:comment-above] ----- Action: complete Task: Deploy Token: ${TOKEN}`,
      ),
    ).toBe('Done, rolled out.');
  });
});
