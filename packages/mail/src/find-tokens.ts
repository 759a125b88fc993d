import { findAnswerTokens, type AnswerToken } from '@rc/tokens';
import { markerLineStart } from './comment';
import { htmlHistoryStart } from './html-history';
import type { ParsedMessage } from './parse-message';
import { ownLineFlags, quotedHistoryStart } from './quoted-history';

export interface FoundTokens {
  /** In what the person sent: the subject, then their text, then their HTML (hrefs and text). */
  direct: AnswerToken[];
  /** `reply` tokens in In-Reply-To, then References: the request email this answers. */
  referenced: AnswerToken[];
  /**
   * In quoted history only (the request email quoted below a plain reply carries both the
   * Complete and the Fail link). Never an answer by itself; at most a hint which request a
   * reply is about when the client dropped In-Reply-To and References.
   */
  quoted: AnswerToken[];
}

/**
 * Every syntactically valid token in a message, by where it was found. Only syntax is
 * checked here; the verifier checks signatures. No token repeats within a group, and a token
 * the person sent is not listed again as quoted.
 */
export function findMessageTokens(
  message: ParsedMessage,
  inSubject: AnswerToken[] = findSubjectTokens(message),
): FoundTokens {
  const text = splitOwnText(message.text);
  const htmlCut = htmlHistoryStart(message.html);
  const direct = collectTokens([text.own, message.html.slice(0, htmlCut)], () => true, inSubject);
  const referenced = collectTokens(
    [message.inReplyTo.join(' '), message.references.join(' ')],
    (token) => token.action === 'reply',
  );
  const directTexts = new Set(direct.map((token) => token.text));
  const quoted = collectTokens(
    [text.quoted, message.html.slice(htmlCut)],
    (token) => !directTexts.has(token.text),
  );
  return { direct, referenced, quoted };
}

/**
 * The tokens in the Subject: the first place a button answer carries its token. Scanned once
 * and passed on (findMessageTokens, the action of an answer with both buttons' tokens, the
 * header fields DKIM must sign).
 */
export function findSubjectTokens(message: ParsedMessage): AnswerToken[] {
  return collectTokens([message.subject], () => true);
}

function collectTokens(
  texts: string[],
  keep: (token: AnswerToken) => boolean,
  first: AnswerToken[] = [],
): AnswerToken[] {
  const found = new Map<string, AnswerToken>(first.map((token) => [token.text, token]));
  for (const text of texts) {
    if (text.length === 0) continue;
    for (const token of findAnswerTokens(decodePercentEscapes(text))) {
      if (!found.has(token.text) && keep(token)) found.set(token.text, token);
    }
  }
  return [...found.values()];
}

/**
 * Splits a body into what the person sent and the quoted history, by the same rules as the
 * comment (so an answer written below the quote counts too). Our answer template below the
 * marker line (with its `Token:` line) is the person's own, also when a client quoted it.
 */
function splitOwnText(text: string): { own: string; quoted: string } {
  const markerAt = markerLineStart(text);
  const own: string[] = [];
  const quoted: string[] = [];
  const above = text.slice(0, markerAt).split('\n');
  const flags = ownLineFlags(above);
  above.forEach((line, index) => (flags[index] ? own : quoted).push(line));
  if (markerAt < text.length) {
    const template = text.slice(markerAt).split('\n');
    const templateEnd = quotedHistoryStart(template);
    template.forEach((line, index) => (index < templateEnd ? own : quoted).push(line));
  }
  return { own: own.join('\n'), quoted: quoted.join('\n') };
}

/**
 * mailto: links carry the token percent-encoded in their subject and body ("%5Brc-…%5D",
 * "Token%3A%20rc-…"), where the token pattern's boundaries do not see it. Only ASCII escapes
 * matter for tokens, so each escape is decoded on its own and invalid UTF-8 cannot throw.
 */
function decodePercentEscapes(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(PERCENT_ESCAPE, (escape, hex: string) => {
    const code = Number.parseInt(hex, 16);
    return code < 0x80 ? String.fromCharCode(code) : escape;
  });
}

const PERCENT_ESCAPE = /%([0-9a-f]{2})/gi;
