import type { AnswerToken } from '@rc/tokens';
import { extractComment } from './comment';
import { findMessageTokens, findSubjectTokens, type FoundTokens } from './find-tokens';
import type { ParsedMessage } from './parse-message';
import { detectReplyAction, type ActionVocabulary } from './reply-action';

export interface UnderstoodAnswer {
  tokens: FoundTokens;
  /** the direct tokens that are in the Subject (a header field DKIM must then sign) */
  inSubject: AnswerToken[];
  /** what the answer asks for; null when nothing unambiguous was said */
  action: 'complete' | 'fail' | null;
  /** where the action came from: a button's token, or the words of a plain reply */
  actionSource: 'token' | 'words' | null;
  /** what the person wrote, without quotes, signatures and our template */
  comment: string;
}

type Action = 'complete' | 'fail';

export interface UnderstandOptions {
  /**
   * Words that complete or fail a task in a plain reply; DEFAULT_ACTION_VOCABULARY if absent.
   * Use extendActionVocabulary() to add words to the defaults rather than replace them.
   */
  vocabulary?: ActionVocabulary;
}

function actionsOf(tokens: AnswerToken[]): Set<Action> {
  return new Set(
    tokens.map((token) => token.action).filter((action): action is Action => action !== 'reply'),
  );
}

/**
 * What an answer asks for (SPEC 3.3): the token of the button used, else the first meaningful
 * words of a plain reply. Tokens of both buttons outside quoted history (someone pasted both)
 * are settled by the subject's token, or not at all. Never a guess. Signatures are not
 * checked here: that is the verifier's job.
 */
export function understandAnswer(
  message: ParsedMessage,
  options: UnderstandOptions = {},
): UnderstoodAnswer {
  const inSubject = findSubjectTokens(message);
  const tokens = findMessageTokens(message, inSubject);
  const comment = extractComment(message.text);
  const actions = actionsOf(tokens.direct);
  let action: Action | null = null;
  if (actions.size === 1) action = [...actions][0] ?? null;
  else if (actions.size > 1) {
    const subjectActions = actionsOf(inSubject);
    action = subjectActions.size === 1 ? ([...subjectActions][0] ?? null) : null;
  }
  if (actions.size > 0)
    return { tokens, inSubject, action, actionSource: action ? 'token' : null, comment };
  const said = detectReplyAction(
    comment,
    options.vocabulary ? { vocabulary: options.vocabulary } : undefined,
  );
  return { tokens, inSubject, action: said, actionSource: said ? 'words' : null, comment };
}
