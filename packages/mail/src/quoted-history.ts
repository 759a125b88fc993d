/**
 * Recognises the quoted history that mail clients put below (or around) what a person writes:
 * `>` lines, attribution lines ("On … wrote:"), Outlook's header block, "Original Message"
 * and forward separators. Shared by comment extraction and token search, so that a token or a
 * word in the quoted request email is never taken for something the person said.
 */

/** A line of quoted text (RFC 3676 quote marks; html-to-text renders blockquotes this way). */
export function isQuotedLine(line: string): boolean {
  return QUOTED_LINE.test(line);
}

/** Index of the first line of quoted history in `lines`, or lines.length if there is none. */
export function quotedHistoryStart(lines: readonly string[]): number {
  for (let index = 0; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim();
    if (line.length === 0) continue;
    if (SEPARATOR_LINE.test(line)) return index;
    if (ATTRIBUTION_START.test(line) && isAttribution(lines, index)) return index;
    if (ENDS_LIKE_ATTRIBUTION.test(line) && nextNonBlankIsQuoted(lines, index)) return index;
    if (OUTLOOK_FROM.test(line) && hasOutlookDateBelow(lines, index)) return index;
  }
  return lines.length;
}

const QUOTED_LINE = /^[ \t]*>/;

/** "-----Original Message-----" and friends, Gmail's forward header, Apple's forward line. */
const SEPARATOR_LINE = new RegExp(
  [
    String.raw`^-{2,}\s*(?:original message|ursprüngliche nachricht|originalnachricht|message d'origine|mensaje original|oorspronkelijk bericht|origineel bericht|mensagem original|messaggio originale)\s*-{2,}$`,
    String.raw`^-{2,}\s*(?:forwarded message|weitergeleitete nachricht|message transféré|mensaje reenviado|doorgestuurd bericht|mensagem encaminhada|messaggio inoltrato)\s*-{2,}$`,
    String.raw`^(?:begin forwarded message|anfang der weitergeleiteten nachricht|début du message réexpédié)\s*:$`,
  ].join('|'),
  'iu',
);

/** First words of attribution lines: On (EN), Am (DE), Le (FR), El (ES), Op (NL), Em (PT), Il (IT). */
const ATTRIBUTION_START = /^(?:on|am|le|el|op|em|il)\s/i;

/** Whole attribution lines; Gmail wraps long ones, so up to three lines are joined first. */
const ATTRIBUTION = new RegExp(
  [
    String.raw`^on\s.*\bwrote\s*:$`,
    String.raw`^am\s.*\bschrieb\b.*:$`,
    String.raw`^le\s.*\ba écrit\s*:$`,
    String.raw`^el\s.*\bescribió.*:$`,
    String.raw`^op\s.*\bschreef\b.*:$`,
    String.raw`^em\s.*\bescreveu.*:$`,
    String.raw`^il\s.*\bha scritto\b.*:$`,
  ].join('|'),
  'iu',
);

/** "Alice <a@b> wrote:" without a date (older Thunderbird), only when quoted text follows. */
const ENDS_LIKE_ATTRIBUTION =
  /(?:\bwrote|\bschrieb|a écrit|escribió|schreef|escreveu|ha scritto)\s*:$/iu;

/** Outlook's header block: "From: …" then "Sent: …" (or Date) within the next lines. */
const OUTLOOK_FROM = /^\*?(?:from|von|de|van|da|fra|från|od)\s?:\*?\s*\S/iu;
const OUTLOOK_DATE =
  /^\*?(?:sent|date|gesendet|datum|envoyé|enviado|enviada|fecha|verzonden|inviato|data|skickat|sendt|wysłano)\s?:/iu;

function isAttribution(lines: readonly string[], index: number): boolean {
  let joined = '';
  for (let offset = 0; offset < 3 && index + offset < lines.length; offset++) {
    joined = `${joined} ${(lines[index + offset] ?? '').trim()}`.trim();
    if (joined.length > 400) return false;
    if (ATTRIBUTION.test(joined)) return true;
  }
  return false;
}

function nextNonBlankIsQuoted(lines: readonly string[], index: number): boolean {
  for (let next = index + 1; next < lines.length; next++) {
    const line = lines[next] ?? '';
    if (line.trim().length > 0) return isQuotedLine(line);
  }
  return false;
}

function hasOutlookDateBelow(lines: readonly string[], index: number): boolean {
  for (let next = index + 1; next <= index + 4 && next < lines.length; next++) {
    if (OUTLOOK_DATE.test((lines[next] ?? '').trim())) return true;
  }
  return false;
}
