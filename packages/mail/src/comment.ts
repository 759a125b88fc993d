import { MARKER_LINE_PATTERN } from './answer-template';
import { disclaimerStart } from './disclaimer';
import { ownLineFlags } from './quoted-history';
import { isClientFooter, isSignatureSeparator } from './signature';

export const MAX_COMMENT_LENGTH = 4000;

/**
 * What the person wrote: the text above our marker line (button answers), without quoted
 * history, signatures, "Sent from my iPhone" lines and legal disclaimers, trimmed, at most 4000
 * characters. An
 * answer written below the quote (bottom-posting) is found there.
 */
export function extractComment(text: string): string {
  const normalized = text.includes('\r') ? text.replace(/\r\n?/g, '\n') : text;
  const above = normalized.slice(0, markerLineStart(normalized));
  const lines = above.split('\n');
  const own = ownLineFlags(lines);
  const kept: string[] = [];
  for (let index = 0; index < lines.length; index++) {
    if (!own[index]) continue;
    const line = (lines[index] ?? '').trimEnd();
    if (isSignatureSeparator(line)) break;
    if (isClientFooter(line)) continue;
    kept.push(line);
  }
  kept.length = disclaimerStart(kept);
  // Outlook draws a rule of underscores (or html-to-text a line of dashes) above its header block.
  while (kept.length > 0 && RULE_LINE.test(kept[kept.length - 1] ?? '')) kept.pop();
  const comment = kept.join('\n').replace(BLANK_RUNS, '\n\n').trim();
  return limitLength(comment, MAX_COMMENT_LENGTH);
}

/**
 * Start of our marker line, or text.length. The exact pattern first; then, for a client that
 * hard-wrapped the long marker line, the line with our tag or the dashed line just above it.
 */
export function markerLineStart(text: string): number {
  // The pattern is tried on the lines that carry our tag only: run over a whole body, its
  // leading [>\s]* would make a long run of blank lines cost quadratic time.
  for (
    let at = text.indexOf(MARKER_TAG_TEXT);
    at >= 0;
    at = text.indexOf(MARKER_TAG_TEXT, at + 1)
  ) {
    const lineStart = text.lastIndexOf('\n', at) + 1;
    const lineEnd = text.indexOf('\n', at);
    const line = text.slice(lineStart, lineEnd < 0 ? text.length : lineEnd);
    if (MARKER_LINE_PATTERN.test(line)) return lineStart;
  }
  const tagAt = text.search(WRAPPED_TAG);
  if (tagAt < 0) return text.length;
  const tagLineStart = text.lastIndexOf('\n', tagAt - 1) + 1;
  if (DASHED_START.test(text.slice(tagLineStart, tagAt + 1))) return tagLineStart;
  // A webmail mailto: handler that dropped the line breaks leaves the marker mid-line:
  // "Done. ----- Write your comment above this line [rc:comment-above] ----- Action: …".
  const dashesInLine = DASHES_BEFORE_TAG.exec(text.slice(tagLineStart, tagAt));
  if (dashesInLine) return tagLineStart + dashesInLine.index;
  const previousLineStart = tagLineStart > 0 ? text.lastIndexOf('\n', tagLineStart - 2) + 1 : -1;
  if (previousLineStart >= 0 && DASHED_START.test(text.slice(previousLineStart, tagLineStart))) {
    return previousLineStart;
  }
  return tagLineStart;
}

const MARKER_TAG_TEXT = '[rc:comment-above]';
/** Our tag `[rc:comment-above]`, also when a client wrapped the line inside it. */
const WRAPPED_TAG = /\[rc:comment-?\s*above\]|\[rc:comment-\s*$/m;
const DASHED_START = /^[>\s]*-{5}/;
/** The last run of five dashes before our tag on its line, with at most the marker words between. */
const DASHES_BEFORE_TAG = /-{5}[^-\n]{0,80}$/;

const RULE_LINE = /^\s*(?:_{5,}|-{5,}|={5,}|\*{5,})\s*$|^\s*$/;

/** A run of three or more blank lines (whitespace-only counts as blank) becomes one blank line. */
const BLANK_RUNS = /\n(?:[ \t]*\n){3,}/g;

function limitLength(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  // never leave half of a surrogate pair at the end
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return text.slice(0, end).trimEnd();
}
