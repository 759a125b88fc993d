/**
 * Case- and accent-insensitive form of a text for matching words people type: "Réponse",
 * "reponse" and "RÉPONSE" all fold to "reponse". German ß folds to "ss" because people
 * without a German keyboard write "abschliessen". Turkish dotless ı and Polish ł are letters of
 * their own, not accented ones, so they are folded by hand: "HAYIR" lower-cases to "hayir", and
 * people without a Polish keyboard write "l".
 */
export function foldText(text: string): string {
  return text
    .normalize('NFD')
    .replace(COMBINING_MARKS, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/ı/g, 'i')
    .replace(/ł/g, 'l');
}

const COMBINING_MARKS = /\p{M}+/gu;
