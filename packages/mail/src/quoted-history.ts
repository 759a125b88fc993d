import {
  ATTRIBUTION,
  ATTRIBUTION_START,
  isBareSeparatorTitle,
  isDashedAttribution,
  isHeaderBlockAt,
  isSeparatorLine,
  WRITING_VERB,
} from './quote-headers';
import { isSalutationLine } from './reply-action';
import { isClientFooter, isSignatureSeparator } from './signature';

/**
 * Recognises the quoted history that mail clients put below (or around) what a person writes:
 * `>` lines, attribution lines ("On … wrote:" in many languages), header blocks, "Original
 * Message" and forward separators (the patterns are in quote-headers.ts). Shared by comment extraction and token search, so
 * that a token or a word in the quoted request email is never taken for something the person
 * said.
 *
 * Two kinds of boundary:
 * - hard: a header block ("From:/Sent:", "Gesendet:/Von:"), "-----Original Message-----",
 *   forward separators, Zoho's "---- On … wrote ----", and an attribution line followed by
 *   unmarked text (Yahoo). Everything after it is history.
 * - soft: an attribution line followed by `>` lines. The quote is marked line by line, so
 *   text after it can be the person's again: Thunderbird and The Bat! write the answer below
 *   the quote by default.
 */

/** A line of quoted text (RFC 3676 quote marks; html-to-text renders blockquotes this way). */
export function isQuotedLine(line: string): boolean {
  return QUOTED_LINE.test(line);
}

/** Index of the first line of quoted history of either kind in `lines`, or lines.length. */
export function quotedHistoryStart(lines: readonly string[]): number {
  return nextBoundary(lines, 0)?.index ?? lines.length;
}

/**
 * Which lines the person wrote. Above the first boundary, every line that is not a `>` line
 * (answers interleaved with `>` quotes are kept). If nothing of substance was written there,
 * only a salutation, a signature or a phone's footer, the person answered below the quote: then
 * their lines are the unquoted ones after each soft boundary, up to the first hard one, plus the
 * salutation above.
 */
export function ownLineFlags(lines: readonly string[]): boolean[] {
  const own = lines.map(() => false);
  const first = nextBoundary(lines, 0);
  const topEnd = first?.index ?? lines.length;
  let topHasSubstance = false;
  let inSignature = false;
  for (let index = 0; index < topEnd; index++) {
    const line = lines[index] ?? '';
    if (isQuotedLine(line)) continue;
    own[index] = true;
    if (isSignatureSeparator(line)) inSignature = true;
    if (!inSignature && isSubstance(line)) topHasSubstance = true;
  }
  if (topHasSubstance || !first?.soft) return own;

  // Bottom-posted: keep the salutation above the quote, drop a signature placed there.
  for (let index = 0; index < topEnd; index++) {
    if (isSignatureSeparator(lines[index] ?? '')) {
      for (let rest = index; rest < topEnd; rest++) own[rest] = false;
      break;
    }
  }
  for (let boundary: Boundary | null = first; boundary?.soft;) {
    const next = nextBoundary(lines, boundary.end);
    const end = next?.index ?? lines.length;
    for (let index = boundary.end; index < end; index++) {
      if (!isQuotedLine(lines[index] ?? '')) own[index] = true;
    }
    boundary = next;
  }
  return own;
}

interface Boundary {
  index: number;
  /** first line after the boundary's own lines (the attribution may span up to three lines) */
  end: number;
  soft: boolean;
}

function nextBoundary(lines: readonly string[], from: number): Boundary | null {
  for (let index = from; index < lines.length; index++) {
    const line = (lines[index] ?? '').trim();
    if (line.length === 0 || isQuotedLine(line)) continue;
    if (isSeparatorLine(line) || isDashedAttribution(line)) {
      return { index, end: index + 1, soft: false };
    }
    if (isBareSeparatorTitle(line) && isHeaderBlockAt(lines, nextNonBlank(lines, index))) {
      return { index, end: index + 1, soft: false };
    }
    if (isHeaderBlockAt(lines, index)) return { index, end: index + 1, soft: false };
    const span = attributionSpan(lines, index);
    if (span === 0) continue;
    const quoteFollows = nextNonBlankIsQuoted(lines, index + span - 1);
    if (quoteFollows) return { index, end: index + span, soft: true };
    // An attribution in a known language ends the answer even without `>` marks (Yahoo).
    if (ATTRIBUTION_START.test(line) && isKnownAttribution(lines, index)) {
      return { index, end: index + span, soft: false };
    }
  }
  return null;
}

const QUOTED_LINE = /^[ \t]*>/;

/** A colon-terminated line that names an address, or a date with a time: a localised attribution. */
const ENDS_WITH_COLON = /[:：]$/u;
const HAS_ADDRESS = /[^\s<>@]+@[^\s<>@]+\.[^\s<>@]+/u;
const HAS_YEAR = /(?:^|\D)(?:19|20)\d\d(?:\D|$)/u;
const HAS_TIME = /(?:^|\D)\d{1,2}:\d\d(?:\D|$)/u;

const WRAPPED_START = /\d|@|^(?:on|am|le|el|op|em|il|dnia|den|w dniu)\s/iu;

/** How many lines (1-3) an attribution starting at `index` spans, or 0 if none starts there. */
function attributionSpan(lines: readonly string[], index: number): number {
  let joined = '';
  for (let offset = 0; offset < 3 && index + offset < lines.length; offset++) {
    const part = (lines[index + offset] ?? '').trim();
    if (offset > 0 && (part.length === 0 || isQuotedLine(part))) return 0;
    // A wrapped attribution opens with its date or "On …"; a signature name right above a
    // one-line attribution ("Ayşe" / "On … wrote:") is the person's, not the client's.
    if (offset === 1 && !WRAPPED_START.test(joined)) return 0;
    joined = `${joined} ${part}`.trim();
    if (joined.length > 400) return 0;
    if (ATTRIBUTION.test(joined) || WRITING_VERB.test(joined)) return offset + 1;
    if (
      ENDS_WITH_COLON.test(joined) &&
      (HAS_ADDRESS.test(joined) || (HAS_YEAR.test(joined) && HAS_TIME.test(joined)))
    ) {
      return offset + 1;
    }
  }
  return 0;
}

function isKnownAttribution(lines: readonly string[], index: number): boolean {
  let joined = '';
  for (let offset = 0; offset < 3 && index + offset < lines.length; offset++) {
    joined = `${joined} ${(lines[index + offset] ?? '').trim()}`.trim();
    if (ATTRIBUTION.test(joined)) return true;
  }
  return false;
}

function nextNonBlank(lines: readonly string[], index: number): number {
  let next = index + 1;
  while (next < lines.length && (lines[next] ?? '').trim().length === 0) next++;
  return next;
}

function nextNonBlankIsQuoted(lines: readonly string[], index: number): boolean {
  for (let next = index + 1; next < lines.length; next++) {
    const line = lines[next] ?? '';
    if (line.trim().length > 0) return isQuotedLine(line);
  }
  return false;
}

/** Something a person wrote about the task: not blank, not a salutation, not an app's footer or a rule. */
function isSubstance(line: string): boolean {
  const trimmed = line.trim();
  if (trimmed.length === 0 || RULE.test(trimmed)) return false;
  return !isClientFooter(trimmed) && !isSalutationLine(trimmed);
}

const RULE = /^(?:_{5,}|-{5,}|={5,}|\*{5,})$/;
