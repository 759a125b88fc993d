import { foldText } from './fold-text';

export type ReplyAction = 'complete' | 'fail';

export interface ActionVocabulary {
  complete: string[];
  fail: string[];
}

/**
 * Words that, as one of the first three words of a plain reply, complete or fail the task.
 * Matching folds case and accents, so "Genehmigt", "genehmigt" and "GENEHMIGT" are one
 * entry and "approuve" also covers "approuvé". Entries may be phrases of several words.
 * Languages without spaces (Japanese, Chinese) match a whole run of letters between
 * punctuation, so "承認します。" matches "承認します" but "承認しません" (does not approve) matches
 * nothing. Operators add their own words through the `vocabulary` option (see README).
 */
// prettier-ignore
export const DEFAULT_ACTION_VOCABULARY: ActionVocabulary = Object.freeze({
  complete: Object.freeze([
    /* EN */ 'approve', 'approved', 'approval', 'complete', 'completed', 'done', 'ok', 'okay', 'yes',
             'accept', 'accepted', 'lgtm', 'go', '+1', 'confirmed',
    /* DE */ 'genehmigt', 'genehmigen', 'genehmige', 'freigegeben', 'freigeben', 'erledigt',
             'ja', 'abschließen', 'abgeschlossen', 'einverstanden',
    /* FR */ 'approuvé', 'approuve', 'approuver', 'validé', 'valide', 'valider', 'terminé', 'oui',
             'accepté', "d'accord",
    /* ES */ 'aprobado', 'aprobada', 'aprobar', 'apruebo', 'completado', 'sí', 'si', 'aceptado', 'de acuerdo',
    /* NL */ 'goedgekeurd', 'goedkeuren', 'akkoord', 'voltooid', 'afgerond', 'ja',
    /* PT */ 'aprovado', 'aprovada', 'aprovar', 'aprovo', 'concluído', 'sim', 'aceito', 'de acordo',
    /* JA */ '承認', '承認します', '承認しました',
    /* ZH */ '同意', '批准', '通过',
    /* RU */ 'одобрено', 'одобряю', 'согласовано', 'согласен', 'согласна', 'да',
    /* IT */ 'approvato', 'approvata', 'approvo', 'sì',
    /* PL */ 'zatwierdzone', 'zatwierdzony', 'zatwierdzam', 'zaakceptowane', 'akceptuję',
    /* SV */ 'godkänd', 'godkänt', 'godkänner',
    /* TR */ 'onaylandı', 'onaylıyorum', 'evet',
    /* CS */ 'schváleno', 'schvaluji',
    /* KO */ '승인됨', '승인합니다', '승인했습니다', '예',
  ]) as string[],
  fail: Object.freeze([
    /* EN */ 'fail', 'failed', 'reject', 'rejected', 'decline', 'declined', 'deny', 'denied', 'no',
             'abort', 'stop', 'nok',
    /* DE */ 'abgelehnt', 'ablehnen', 'ablehnung', 'verweigert', 'fehlgeschlagen', 'fehlschlagen', 'nein',
    /* FR */ 'rejeté', 'rejeter', 'refusé', 'refuser', 'échec', 'non',
    /* ES */ 'rechazado', 'rechazada', 'rechazar', 'rechazo', 'fallido', 'denegado', 'no',
    /* NL */ 'afgewezen', 'afgekeurd', 'afwijzen', 'nee',
    /* PT */ 'rejeitado', 'rejeitada', 'rejeitar', 'recusado', 'recusar', 'reprovado', 'falhou', 'não',
    /* JA */ '却下', '却下します', '却下しました', '否認',
    /* ZH */ '拒绝', '驳回', '不同意', '不批准',
    /* RU */ 'отклонено', 'отклоняю', 'отказано', 'нет',
    /* IT */ 'rifiutato', 'rifiutata', 'rifiuto', 'respinto', 'respinta',
    /* PL */ 'odrzucone', 'odrzucony', 'odrzucam', 'nie',
    /* SV */ 'nekad', 'nekat', 'nej',
    /* TR */ 'reddedildi', 'reddediyorum', 'hayır',
    /* CS */ 'zamítnuto', 'zamítám', 'ne',
    /* KO */ '거부됨', '거부합니다', '거절합니다', '반려합니다', '아니요', '아니오',
  ]) as string[],
}) as ActionVocabulary;

/**
 * The default vocabulary with an operator's own words added (say, from configuration): the
 * words of the base are kept, so adding a phrase never loses the built-in languages. A word in
 * both lists makes a line that holds it ambiguous, as any contradiction does.
 */
export function extendActionVocabulary(
  extra: Partial<ActionVocabulary>,
  base: ActionVocabulary = DEFAULT_ACTION_VOCABULARY,
): ActionVocabulary {
  return Object.freeze({
    complete: Object.freeze([...base.complete, ...(extra.complete ?? [])]) as string[],
    fail: Object.freeze([...base.fail, ...(extra.fail ?? [])]) as string[],
  });
}

/**
 * Negation words. A negation before an action word in the same clause ("not approved",
 * "nicht genehmigt", "je ne valide pas", "no apruebo") makes the line ambiguous: better ask
 * again than complete a task someone declined.
 */
// prettier-ignore
const NEGATIONS = new Set(
  [
    'not', 'dont', 'doesnt', 'didnt', 'isnt', 'cant', 'cannot', 'wont', 'shouldnt', 'never',
    'nicht', 'kein', 'keine', 'nie', 'niemals', 'ne', 'pas', 'jamais', 'nunca', 'nao', 'niet',
    'geen', 'nooit', 'non', 'no', 'mai', 'не', 'нет', 'никогда', 'nigdy', 'inte', 'ej', 'icke',
    'aldrig', 'nikdy',
  ].map(foldText),
);

/** Hedges before the action word ("Maybe tomorrow, approved then") make it no answer yet. */
// prettier-ignore
const HEDGES = new Set(
  [
    'maybe', 'perhaps', 'probably', 'possibly', 'vielleicht', 'eventuell', 'evtl', 'wahrscheinlich',
    'peut', 'probablement', 'quizas', 'quiza', 'tal', 'talvez', 'probablemente', 'misschien',
    'waarschijnlijk', 'provavelmente', 'forse', 'probabilmente', 'może', 'chyba', 'kanske',
    'belki', 'možná', 'asi', '아마',
  ].map(foldText),
);

/** Salutation words: a line like "Hi Alice," before the answer is skipped. */
// prettier-ignore
const GREETINGS = new Set(
  [
    'hi', 'hello', 'hey', 'dear', 'hallo', 'moin', 'servus', 'liebe', 'lieber', 'guten',
    'bonjour', 'salut', 'coucou', 'hola', 'buenos', 'buenas', 'hoi', 'beste', 'goedemorgen',
    'goedemiddag', 'ola', 'oi', 'bom', 'boa', 'ciao', 'buongiorno', 'salve', 'good',
    'здравствуйте', 'привет', 'добрый', 'уважаемый', 'уважаемая', '你好', '您好', 'お疲れ様です',
    'お世話になっております', 'buonasera', 'gentile', 'dzień', 'witam', 'cześć', 'szanowny',
    'szanowna', 'hej', 'hejsan', 'merhaba', 'selam', 'sayın', 'dobrý', 'ahoj', 'vážený', 'vážená',
    'zdravím', '안녕하세요',
  ].map(foldText),
);

const WINDOW = 3;
const MAX_GREETING_WORDS = 4;

/**
 * The action a plain reply asks for, from the first line that has words (after an optional
 * salutation line, and skipping labels in brackets that clients and gateways stamp on top, such
 * as "[EXTERNAL]" or a sensitivity label), by its first three words. Null when no action word is
 * there, when the line holds words of both kinds, or when an action word is negated: the verifier
 * then rejects the answer as `no_action` instead of guessing.
 */
export function detectReplyAction(
  comment: string,
  opts?: { vocabulary?: ActionVocabulary },
): ReplyAction | null {
  const vocabulary = compileVocabulary(opts?.vocabulary ?? DEFAULT_ACTION_VOCABULARY);
  let greetingSkipped = false;
  for (const line of comment.split('\n')) {
    if (BRACKETED_LABEL.test(line)) continue;
    const words = lineWords(line);
    if (words.length === 0) continue;
    const hits = actionHits(words, vocabulary);
    if (!greetingSkipped && hits.length === 0 && isGreeting(words)) {
      greetingSkipped = true;
      continue;
    }
    const decided = decide(words, hits);
    // "Approved?" or "Reject this?" asks, it does not answer.
    return decided && isQuestion(line, words, hits[0]) ? null : decided;
  }
  return null;
}

/** Whether the sentence holding the first action word ends with a question mark. */
function isQuestion(line: string, words: Word[], first: Hit | undefined): boolean {
  if (!first) return false;
  const from = words[first.index + first.length - 1]?.end ?? 0;
  const terminator = SENTENCE_END.exec(line.slice(from));
  return terminator !== null && QUESTION_MARK.test(terminator[0]);
}

const SENTENCE_END = /[.!?;。！？；¿؟]/u;
const QUESTION_MARK = /[?？؟]/u;

/** A salutation line such as "Hi Alice," or "Здравствуйте, Release." */
export function isSalutationLine(line: string): boolean {
  const words = lineWords(line);
  return words.length > 0 && isGreeting(words);
}

/** "[EXTERNAL]", "[Corp Internal – General]": a whole line in square brackets. */
const BRACKETED_LABEL = /^\s*\[[^\]\n]{1,80}\]\s*$/;

interface Word {
  folded: string;
  /** no punctuation between this word and the one before it */
  joinedToPrevious: boolean;
  /** offset just past the word in its line */
  end: number;
}

interface Hit {
  index: number;
  length: number;
  action: ReplyAction;
}

interface CompiledVocabulary {
  phrases: Map<string, ReplyAction | 'both'>;
  longestPhrase: number;
}

const WORD = /\+1(?![\p{L}\p{N}])|[\p{L}\p{N}]+(?:['’][\p{L}\p{N}]+)*/gu;
const CLAUSE_BREAK = /[^\s"'“”„«»()*_]/u;

function lineWords(line: string): Word[] {
  const words: Word[] = [];
  let previousEnd = 0;
  for (const match of line.matchAll(WORD)) {
    const start = match.index ?? 0;
    words.push({
      folded: foldText(match[0]).replace(/['’]/g, ''),
      joinedToPrevious: !CLAUSE_BREAK.test(line.slice(previousEnd, start)),
      end: start + match[0].length,
    });
    previousEnd = start + match[0].length;
  }
  return words;
}

function actionHits(words: Word[], vocabulary: CompiledVocabulary): Hit[] {
  const hits: Hit[] = [];
  for (let index = 0; index < words.length; index++) {
    let phrase = '';
    for (
      let length = 1;
      length <= vocabulary.longestPhrase && index + length <= words.length;
      length++
    ) {
      const word = words[index + length - 1];
      if (!word || (length > 1 && !word.joinedToPrevious)) break;
      phrase = length === 1 ? word.folded : `${phrase} ${word.folded}`;
      const action = vocabulary.phrases.get(phrase);
      if (action === 'both')
        return [
          { index, length, action: 'complete' },
          { index, length, action: 'fail' },
        ];
      if (action) hits.push({ index, length, action });
    }
  }
  return hits;
}

function decide(words: Word[], hits: Hit[]): ReplyAction | null {
  const first = hits[0];
  if (!first || first.index >= WINDOW) return null;
  if (hits.some((hit) => hit.action !== first.action)) return null;
  if (hits.some((hit) => isNegated(words, hit.index))) return null;
  if (words.slice(0, first.index).some((word) => HEDGES.has(word.folded))) return null;
  // "No" (or "non", "não") opening a clause that goes on is a negation, not an answer:
  // "No apruebo", "Non merci", "No problem". "No." and "No, reject it" still fail.
  const next = words[first.index + first.length];
  if (NEGATIONS.has(words[first.index]?.folded ?? '') && next?.joinedToPrevious) return null;
  return first.action;
}

/** A negation word earlier in the same clause as the word at `index`. */
function isNegated(words: Word[], index: number): boolean {
  for (let at = index; at > 0; at--) {
    if (!words[at]?.joinedToPrevious) return false;
    if (NEGATIONS.has(words[at - 1]?.folded ?? '')) return true;
  }
  return false;
}

function isGreeting(words: Word[]): boolean {
  return words.length <= MAX_GREETING_WORDS && GREETINGS.has(words[0]?.folded ?? '');
}

const compiled = new WeakMap<ActionVocabulary, CompiledVocabulary>();

function compileVocabulary(vocabulary: ActionVocabulary): CompiledVocabulary {
  const cached = compiled.get(vocabulary);
  if (cached) return cached;
  const phrases = new Map<string, ReplyAction | 'both'>();
  let longestPhrase = 1;
  const add = (entries: readonly string[], action: ReplyAction): void => {
    for (const entry of entries) {
      const words = lineWords(entry).map((word) => word.folded);
      if (words.length === 0) continue;
      const phrase = words.join(' ');
      const existing = phrases.get(phrase);
      phrases.set(phrase, existing && existing !== action ? 'both' : action);
      longestPhrase = Math.max(longestPhrase, words.length);
    }
  };
  add(vocabulary.complete, 'complete');
  add(vocabulary.fail, 'fail');
  const result = { phrases, longestPhrase };
  compiled.set(vocabulary, result);
  return result;
}
