/**
 * Case- and accent-insensitive form of a text for matching words people type: "Réponse",
 * "reponse" and "RÉPONSE" all fold to "reponse". German ß folds to "ss" because people
 * without a German keyboard write "abschliessen".
 */
export function foldText(text: string): string {
  return text.normalize('NFD').replace(COMBINING_MARKS, '').toLowerCase().replace(/ß/g, 'ss');
}

const COMBINING_MARKS = /\p{M}+/gu;
