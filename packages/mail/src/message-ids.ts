const BRACKETED_ID = /<[^<>]*>/g;
const SEPARATORS = /[\s,]+/;

/**
 * Message ids from a Message-ID, In-Reply-To or References value, each with angle brackets.
 * RFC 5322 separates them with whitespace, but Exchange joins References with commas and some
 * clients append comments ("<id> (Alice's message of …)"), so bracketed ids are taken as they
 * stand and only a value without any brackets is split on whitespace and commas.
 */
export function parseMessageIds(value: string): string[] {
  const bracketed = value.match(BRACKETED_ID);
  if (bracketed) return bracketed.filter((id) => id.length > 2);
  return value
    .split(SEPARATORS)
    .filter((part) => part.length > 0)
    .map((part) => `<${part}>`);
}
