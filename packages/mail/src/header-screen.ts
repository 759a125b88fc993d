/** Header sections beyond this are not mail a person sent (real ones stay well under 64 KB). */
export const MAX_HEADER_BYTES = 256 * 1024;
/** Folded lines of one field beyond this are not mail a person sent (DKIM/ARC fields use ~10). */
export const MAX_CONTINUATION_LINES = 1_000;

/**
 * A cheap pass over the header section before MIME parsing. mailparser 3.9 spends time
 * quadratic in the number of continuation lines of a field that has no colon: 80,000 of them
 * (a 240 KB message) cost 9 s of CPU, 150,000 over 30 s, and the parse cannot be cancelled.
 * Bounding the header section and the folds of one field keeps every message's parse cost
 * small, so a few crafted messages cannot stall the verifiers. Returns why the message is
 * refused, or null.
 */
export function screenHeaderSection(raw: Buffer): string | null {
  const limit = Math.min(raw.length, MAX_HEADER_BYTES + 1);
  let lineStart = 0;
  let continuations = 0;
  for (let i = 0; i < limit; i++) {
    if (raw[i] !== 10) continue;
    const lineLength = i - lineStart - (i > lineStart && raw[i - 1] === 13 ? 1 : 0);
    if (lineLength === 0) return null; // the blank line: end of the header section
    const first = raw[lineStart];
    if (first === 32 || first === 9) {
      continuations += 1;
      if (continuations > MAX_CONTINUATION_LINES)
        return `a header field is folded over more than ${MAX_CONTINUATION_LINES} lines`;
    } else continuations = 0;
    lineStart = i + 1;
  }
  if (raw.length > MAX_HEADER_BYTES)
    return `header section larger than ${MAX_HEADER_BYTES / 1024} KB`;
  return null;
}
