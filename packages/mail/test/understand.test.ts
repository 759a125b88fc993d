import { describe, expect, it } from 'vitest';
import { mintAnswerToken, parseSigningKeys } from '@rc/tokens';
import { buildAnswerTemplate, extendActionVocabulary, understandAnswer } from '../src/index';
import { messageWith, parseRaw, rawMessage } from './helpers';

const { keyring } = parseSigningKeys(`t1:${'f'.repeat(40)}`);
const token = (action: 'complete' | 'fail' | 'reply', ref = 'abcdefghjkmn') =>
  mintAnswerToken(keyring!, action, ref);

describe('understandAnswer', () => {
  it('takes the action from the button’s token and the comment from above the marker', async () => {
    const { subject, body } = buildAnswerTemplate({
      action: 'fail',
      token: token('fail'),
      title: 'Deploy',
    });
    const message = await parseRaw(
      rawMessage(['From: a@corp.example', `Subject: ${subject}`], `Approved, actually.${body}`),
    );
    // The words say "approved" but the button says fail: the button wins, words are a comment.
    expect(understandAnswer(message)).toMatchObject({
      action: 'fail',
      actionSource: 'token',
      comment: 'Approved, actually.',
    });
  });

  it('reads a plain reply’s first words, with the request named by In-Reply-To', async () => {
    const message = await parseRaw(
      rawMessage(
        ['From: a@corp.example', `In-Reply-To: <${token('reply')}@corp.example>`],
        'Abgelehnt, bitte erst nach dem Freeze.\n',
      ),
    );
    const understood = understandAnswer(message);
    expect(understood).toMatchObject({ action: 'fail', actionSource: 'words' });
    expect(understood.tokens.referenced.map((t) => t.text)).toEqual([token('reply')]);
  });

  it('uses a configured vocabulary for plain replies only', () => {
    const vocabulary = extendActionVocabulary({ complete: ['ship it'], fail: ['hold the train'] });
    const reply = messageWith({ text: 'Ship it!\n\nOn Mon, Bot wrote:\n> x' });
    expect(understandAnswer(reply).action).toBeNull();
    expect(understandAnswer(reply, { vocabulary })).toMatchObject({
      action: 'complete',
      actionSource: 'words',
      comment: 'Ship it!',
    });
    const held = messageWith({ text: 'Hold the train, the DB is migrating.' });
    expect(understandAnswer(held, { vocabulary }).action).toBe('fail');
    const replaced = { complete: ['vamos'], fail: ['alto'] };
    expect(
      understandAnswer(messageWith({ text: 'Approved' }), { vocabulary: replaced }).action,
    ).toBeNull();
  });

  it('never guesses: contradicting words and both pasted buttons without a subject token', () => {
    expect(understandAnswer(messageWith({ text: 'Approve? No, reject.' }))).toMatchObject({
      action: null,
      actionSource: null,
    });
    const both = messageWith({
      subject: 'Re: x',
      text: `Approved\nToken: ${token('complete')}\nToken: ${token('fail')}`,
    });
    expect(understandAnswer(both)).toMatchObject({ action: null, actionSource: null });
    const settled = messageWith({ ...both, subject: `Complete: x [${token('complete')}]` });
    expect(understandAnswer(settled)).toMatchObject({ action: 'complete', actionSource: 'token' });
  });

  it('names the tokens found in the Subject once, first among the direct ones', () => {
    const inBody = messageWith({ subject: 'Re: x', text: `Token: ${token('fail')}` });
    expect(understandAnswer(inBody).inSubject).toEqual([]);
    const both = messageWith({
      subject: `Complete: x [${token('complete')}]`,
      text: `Token: ${token('complete')}\nToken: ${token('fail')}`,
    });
    const understood = understandAnswer(both);
    expect(understood.inSubject.map((found) => found.text)).toEqual([token('complete')]);
    expect(understood.tokens.direct.map((found) => found.text)).toEqual([
      token('complete'),
      token('fail'),
    ]);
  });
});
