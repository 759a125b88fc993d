import { domainToASCII } from 'node:url';
import type { ParsedMessage } from '@rc/mail';

export type DmarcVerdict = { pass: true; detail: string } | { pass: false; detail: string };

/**
 * RFC 8601: an Authentication-Results header is only as trustworthy as the host that added
 * it. Anyone can put one in a message they send, so only headers whose authserv-id is our own
 * receiving MTA count, and of those the topmost (the last one added, by our MTA; §5 asks the
 * MTA to remove look-alikes that arrived from outside).
 *
 * The MTA's `dmarc=pass` must also be about the same From domain we act on (`header.from`):
 * two parsers reading one crafted From field differently ("parser differential") must not
 * turn a pass for evil.example into an answer from corp.example.
 */
export function checkTrustedDmarc(
  message: ParsedMessage,
  trustedAuthservId: string,
  fromAddress: string,
): DmarcVerdict {
  const trusted = trustedAuthservId.trim().toLowerCase();
  if (!trusted) return { pass: false, detail: 'no RC_TRUSTED_AUTHSERV_ID configured' };
  for (const value of message.headers.get('authentication-results') ?? []) {
    const results = parseAuthenticationResults(value);
    if (!results || results.authservId !== trusted) continue;
    const dmarc = results.methods.find((method) => method.method === 'dmarc');
    if (!dmarc) return { pass: false, detail: `${trusted} reports no dmarc result` };
    if (dmarc.result !== 'pass')
      return { pass: false, detail: `${trusted} says dmarc=${dmarc.result}` };
    const headerFrom = dmarc.properties.get('header.from');
    if (!headerFrom)
      return { pass: false, detail: `${trusted} says dmarc=pass without header.from` };
    const fromDomain = asciiDomain(fromAddress.slice(fromAddress.lastIndexOf('@') + 1));
    const passedDomain = asciiDomain(headerFrom.slice(headerFrom.lastIndexOf('@') + 1));
    if (!fromDomain || fromDomain !== passedDomain) {
      return {
        pass: false,
        detail: `${trusted} says dmarc=pass for ${headerFrom}, but From is ${fromAddress}`,
      };
    }
    return { pass: true, detail: `dmarc=pass header.from=${passedDomain} by ${trusted}` };
  }
  return { pass: false, detail: `no Authentication-Results from ${trusted}` };
}

interface MethodResult {
  method: string;
  result: string;
  properties: Map<string, string>;
}

/**
 * `authserv-id [version]; method=result [reason=…] ptype.property=value …; …` (RFC 8601 §2.2),
 * comments removed. Returns null for a header that does not have that shape.
 */
export function parseAuthenticationResults(
  value: string,
): { authservId: string; methods: MethodResult[] } | null {
  const text = stripComments(value).replace(/\s+/g, ' ').trim();
  const [head, ...rest] = splitOutsideQuotes(text, ';');
  const authservId = head?.trim().split(' ', 1)[0]?.toLowerCase();
  if (!authservId) return null;
  const methods: MethodResult[] = [];
  for (const resinfo of rest) {
    const words = resinfo.trim().split(' ').filter(Boolean);
    const first = /^([a-z0-9_-]+)(?:\/[0-9]+)?=([a-z0-9_-]+)$/i.exec(words[0] ?? '');
    if (!first?.[1] || !first[2]) continue;
    const properties = new Map<string, string>();
    for (const word of words.slice(1)) {
      const eq = word.indexOf('=');
      if (eq <= 0) continue;
      const key = word.slice(0, eq).toLowerCase();
      if (!properties.has(key)) properties.set(key, word.slice(eq + 1).replace(/^"(.*)"$/, '$1'));
    }
    methods.push({ method: first[1].toLowerCase(), result: first[2].toLowerCase(), properties });
  }
  return { authservId, methods };
}

/** Removes RFC 5322 comments, nested ones included; quoted strings are left alone. */
function stripComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (char === '\\' && i + 1 < value.length) {
      if (depth === 0) out += value.slice(i, i + 2);
      i++;
      continue;
    }
    if (depth === 0 && char === '"') quoted = !quoted;
    if (!quoted && char === '(') {
      depth++;
      continue;
    }
    if (!quoted && char === ')' && depth > 0) {
      depth--;
      if (depth === 0) out += ' ';
      continue;
    }
    if (depth === 0) out += char;
  }
  return out;
}

function splitOutsideQuotes(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of value) {
    if (char === '"') quoted = !quoted;
    if (char === separator && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function asciiDomain(domain: string): string {
  const lower = domain.trim().toLowerCase();
  return domainToASCII(lower) || lower;
}
