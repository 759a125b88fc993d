import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ACTION_VOCABULARY,
  detectReplyAction,
  extendActionVocabulary,
  extractComment,
} from '../src/index';
import { parseFixture } from './helpers';

describe('detectReplyAction', () => {
  it.each([
    'Approved',
    'approved, go ahead',
    'APPROVE.',
    'Approval granted',
    'Done',
    'OK',
    'okay, thanks',
    'Yes please',
    'LGTM!',
    '+1',
    'Go',
    'Completed - deployed at 14:02',
    'Accepted',
    'I approve',
    'Hi team, approved.',
    'Genehmigt.',
    'Freigegeben, danke',
    'erledigt',
    'Ja',
    'Abschließen',
    'abschliessen',
    'Approuvé',
    'approuve',
    'Validé !',
    'Terminé',
    'Oui, merci',
    'Aprobado',
    'Sí',
    'si',
    'Goedgekeurd',
    'Akkoord',
    'Voltooid',
    'Aprovado',
    'Concluído',
    'Sim',
    'Aceito',
  ])('%j → complete', (line) => {
    expect(detectReplyAction(line)).toBe('complete');
  });

  it.each([
    'Rejected',
    'reject - the change window is closed',
    'Failed',
    'Fail',
    'Declined.',
    'Denied',
    'No.',
    'No, reject it',
    'Abort',
    'STOP',
    'NOK',
    'Abgelehnt',
    'Ablehnen bitte',
    'Nein',
    'Rejeté',
    'Refusé : les tests de charge ne passent pas encore.',
    'Échec',
    'echec',
    'Non.',
    'Rechazado',
    'Fallido',
    'Afgewezen',
    'Afgekeurd',
    'Nee',
    'Rejeitado',
    'Recusado',
    'Falhou',
    'Não.',
  ])('%j → fail', (line) => {
    expect(detectReplyAction(line)).toBe('fail');
  });

  it.each([
    '',
    '   \n\n',
    'Thanks for the heads-up',
    'Please call me about this',
    'Maybe tomorrow, approved then',
    'Probably OK',
    'Vielleicht genehmigt',
    'Not approved',
    'not yet approved',
    'Nicht genehmigt',
    'Je ne valide pas',
    'No apruebo',
    'Não aprovado',
    "Don't approve this",
    'Approved? No!',
    'yes and no',
    'OK, but reject the hotfix',
    'No go',
    'No problem',
  ])('%j → null', (line) => {
    expect(detectReplyAction(line)).toBeNull();
  });

  it('reads only the first line that has words', () => {
    expect(detectReplyAction('\n\n  \nRejected\nApproved')).toBe('fail');
    expect(detectReplyAction('-- \n\nApproved')).toBe('complete');
    expect(detectReplyAction('Please check the logs first.\nApproved')).toBeNull();
  });

  it('skips a salutation line before the answer', () => {
    expect(detectReplyAction('Hi Alice,\n\nApproved, go ahead.')).toBe('complete');
    expect(detectReplyAction('Hallo zusammen,\nabgelehnt')).toBe('fail');
    expect(detectReplyAction('Hi Alice,\nThanks\nApproved')).toBeNull();
  });

  it('finds the action in the comments of the reply fixtures', async () => {
    for (const [name, action] of [
      ['reply-approve-gmail.eml', 'complete'],
      ['reply-html-only-apple.eml', 'fail'],
      ['reply-reject-outlook.eml', 'fail'],
      ['reply-iso-8859-1.eml', 'complete'],
    ] as const) {
      const message = await parseFixture(name);
      expect(detectReplyAction(extractComment(message.text)), name).toBe(action);
    }
  });

  it('uses a vocabulary passed in, including phrases', () => {
    const vocabulary = { complete: ['ship it', 'vamos'], fail: ['hold'] };
    expect(detectReplyAction('Ship it!', { vocabulary })).toBe('complete');
    expect(detectReplyAction('Vamos', { vocabulary })).toBe('complete');
    expect(detectReplyAction('Hold please', { vocabulary })).toBe('fail');
    expect(detectReplyAction('Approved', { vocabulary })).toBeNull();
    expect(detectReplyAction('Ship, it', { vocabulary })).toBeNull();
  });

  it('exports a default vocabulary that cannot be changed by accident', () => {
    expect(DEFAULT_ACTION_VOCABULARY.complete).toContain('approved');
    expect(DEFAULT_ACTION_VOCABULARY.fail).toContain('rejected');
    expect(() => DEFAULT_ACTION_VOCABULARY.complete.push('nope')).toThrow();
  });

  it.each([
    ['承認します。本番環境へのデプロイを進めてください。', 'complete'],
    ['承認', 'complete'],
    ['却下します。負荷試験がまだです。', 'fail'],
    ['同意，请继续发布。', 'complete'],
    ['不同意。', 'fail'],
    ['驳回', 'fail'],
    ['Одобрено. Выкатку можно начинать.', 'complete'],
    ['Отклонено: тест не пройден.', 'fail'],
    ['Нет, отклоняю.', 'fail'],
    ['De acuerdo, adelante.', 'complete'],
    ["D'accord, on y va.", 'complete'],
    ['Goedkeuren', 'complete'],
    ['Reprovado.', 'fail'],
    ['Freigabe verweigert', 'fail'],
  ] as const)('%j → %s (more languages)', (line, action) => {
    expect(detectReplyAction(line)).toBe(action);
  });

  it.each(['承認しません。', '我同意吗？', 'Не одобрено.', 'Не согласен', 'No estoy de acuerdo'])(
    '%j → null (negated or not an answer)',
    (line) => {
      expect(detectReplyAction(line)).toBeNull();
    },
  );

  it('skips labels in brackets that clients and gateways put on top', () => {
    expect(detectReplyAction('[EXTERNAL]\nApproved')).toBe('complete');
    expect(detectReplyAction('[Corp Internal – General]\n\nRejected, see INC0042.')).toBe('fail');
    expect(detectReplyAction('[x] Approved')).toBe('complete');
  });

  it('skips salutations in more languages', () => {
    expect(detectReplyAction('Здравствуйте, Release.\n\nОдобрено.')).toBe('complete');
    expect(detectReplyAction('お疲れ様です。\n承認します。')).toBe('complete');
  });

  it('extends the default vocabulary without losing it', () => {
    const vocabulary = extendActionVocabulary({ complete: ['ship it'], fail: ['hold'] });
    expect(detectReplyAction('Ship it!', { vocabulary })).toBe('complete');
    expect(detectReplyAction('Hold, please', { vocabulary })).toBe('fail');
    expect(detectReplyAction('Genehmigt', { vocabulary })).toBe('complete');
    expect(Object.isFrozen(vocabulary.complete)).toBe(true);
    expect(DEFAULT_ACTION_VOCABULARY.complete).not.toContain('ship it');
  });
});

describe('detectReplyAction: second-wave languages (docs/decisions.md cites each word)', () => {
  it.each([
    ['Approvato, procedete pure.', 'complete'],
    ['Sì', 'complete'],
    ['Respinto: manca il piano di rollback.', 'fail'],
    ['Zatwierdzam.', 'complete'],
    ['Odrzucone, brak testów.', 'fail'],
    ['NIE.', 'fail'],
    ['Godkänt, kör på.', 'complete'],
    ['Nekad.', 'fail'],
    ['Onaylıyorum.', 'complete'],
    ['HAYIR', 'fail'],
    ['Reddedildi, test raporu eksik.', 'fail'],
    ['Schváleno.', 'complete'],
    ['Zamítnuto, chybí testy.', 'fail'],
    ['Ne, zamítám.', 'fail'],
    ['승인합니다.', 'complete'],
    ['반려합니다. 테스트 결과가 없습니다.', 'fail'],
  ] as const)('%j → %s', (line, action) => {
    expect(detectReplyAction(line)).toBe(action);
  });

  it.each([
    // negations, one or more per language
    'Non approvato.',
    'Non lo approvo ancora.',
    'Nie zatwierdzam.',
    'Nie akceptuję tego terminu.',
    'Inte godkänt.',
    'Ej godkänd.',
    'Onaylamıyorum.',
    'Onaylanmadı.',
    'Neschváleno.',
    'Nesouhlasím, neschvaluji.',
    '승인하지 않습니다.',
    '미승인',
    // hedges
    'Forse approvato domani.',
    'Może zatwierdzę jutro.',
    'Belki onaylıyorum.',
  ])('%j → null (negated or hedged)', (line) => {
    expect(detectReplyAction(line)).toBeNull();
  });

  it.each([
    ['Dzień dobry,\nzatwierdzam.', 'complete'],
    ['Merhaba,\nonaylandı.', 'complete'],
    ['Dobrý den,\nzamítám.', 'fail'],
    ['안녕하세요,\n승인합니다.', 'complete'],
    ['Hej Release,\nnekad.', 'fail'],
  ] as const)('%j: the decision on the line after a greeting → %s', (text, action) => {
    expect(detectReplyAction(text)).toBe(action);
  });

  it.each([
    // languages the vocabulary does not cover: no guess
    'Jóváhagyva.',
    'Hyväksytty.',
    'Εγκρίνεται.',
    'Odobreno.',
    // Polish "tak" (yes) is left out on purpose: in Danish and Norwegian it means "thanks".
    'Tak, dziękuję',
  ])('%j → null (not covered, never guessed)', (line) => {
    expect(detectReplyAction(line)).toBeNull();
  });
});

describe('detectReplyAction: a question is not an answer', () => {
  it.each([
    'Approved?',
    'Reject this?',
    'Approve? I thought we were waiting for QA.',
    '¿Aprobado?',
    'Genehmigt? Der Test lief doch noch.',
    '同意吗？',
    'Approved?!',
  ])('%j → null', (line) => {
    expect(detectReplyAction(line)).toBeNull();
  });

  it.each([
    ['Approved. Any questions? Ask Bob.', 'complete'],
    ['Rejected! Why did nobody run the tests?', 'fail'],
    ['Approved, see the ticket', 'complete'],
  ] as const)('%j → %s (the question is another sentence)', (line, action) => {
    expect(detectReplyAction(line)).toBe(action);
  });
});
