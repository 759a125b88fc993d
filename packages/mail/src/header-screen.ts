/** Header sections beyond this are not mail a person sent (real ones stay well under 64 KB). */
export const MAX_HEADER_BYTES = 256 * 1024;
/** Folded lines of one field beyond this are not mail a person sent (DKIM/ARC fields use ~10). */
export const MAX_CONTINUATION_LINES = 1_000;

interface HeaderScan {
  /** offset just past the last header line (where the blank line starts); -1 if not found */
  end: number;
  /** why the message is refused, or null */
  refused: string | null;
}

/**
 * One pass over the header section, before any MIME parsing. mailparser 3.9 spends time
 * quadratic in the number of continuation lines of a field that has no colon: 80,000 of them
 * (a 240 KB message) cost 9 s of CPU, 150,000 over 30 s, and the parse cannot be cancelled.
 * Bounding the header section and the folds of one field keeps every message's parse cost
 * small, so a few crafted messages cannot stall the verifiers.
 */
function scanHeaderSection(raw: Buffer): HeaderScan {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES + 1);
  let lineStart = 0;
  let continuations = 0;
  for (let i = 0; i < limit; i++) {
    if (raw[i] !== 10) continue;
    const lineLength = i - lineStart - (i > lineStart && raw[i - 1] === 13 ? 1 : 0);
    if (lineLength === 0) return { end: lineStart, refused: null };
    const first = raw[lineStart];
    if (first === 32 || first === 9) {
      continuations += 1;
      if (continuations > MAX_CONTINUATION_LINES)
        return {
          end: -1,
          refused: `a header field is folded over more than ${MAX_CONTINUATION_LINES} lines`,
        };
    } else continuations = 0;
    lineStart = i + 1;
  }
  const refused =
    raw.length > MAX_HEADER_BYTES
      ? `header section larger than ${MAX_HEADER_BYTES / 1024} KB`
      : null;
  return { end: -1, refused };
}

/** Why a message is refused before MIME parsing (see scanHeaderSection), or null. */
export function screenHeaderSection(raw: Buffer): string | null {
  return scanHeaderSection(raw).refused;
}

/**
 * The header section alone, for a message too large to parse whole: enough for its sender and
 * subject to be on record. At most MAX_HEADER_BYTES when no blank line ends it in time.
 */
export function headerSection(raw: Buffer): Buffer {
  const { end } = scanHeaderSection(raw);
  return raw.subarray(0, end >= 0 ? end : Math.min(raw.length, MAX_HEADER_BYTES));
}
