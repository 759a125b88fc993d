import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { encodeBase32 } from './base32';
import type { SigningKeyring } from './keys';

/**
 * An answer token: `rc-<kid>-<action><ref>-<mac>`, at most 40 characters.
 *
 *   kid     1-6 chars, the signing key's id (rotation: any configured key verifies)
 *   action  `c` complete, `f` fail, `r` reply (carried in the request's Message-ID)
 *   ref     12 base32 chars (60 random bits): names one (request, recipient) pair in the store
 *   mac     16 base32 chars: HMAC-SHA256(key, "rc1:<kid>:<action><ref>") truncated to 80 bits
 *
 * The MAC is checked before anything is looked up, so forged tokens cost no Redis round trip.
 * What the ref is bound to (request, recipient, expiry) lives server-side, written only by
 * the sender; see docs/security.md.
 */
export type TokenAction = 'complete' | 'fail' | 'reply';

const ACTION_CHAR: Record<TokenAction, string> = { complete: 'c', fail: 'f', reply: 'r' };
const CHAR_ACTION: Record<string, TokenAction> = { c: 'complete', f: 'fail', r: 'reply' };

const B32 = '[0-9a-hjkmnp-tv-z]';
/** Finds tokens in free text (subjects, bodies, Message-IDs); case-insensitive. */
export const ANSWER_TOKEN_PATTERN = new RegExp(
  `(?<![0-9a-z])rc-([a-z0-9]{1,6})-([cfr])(${B32}{12})-(${B32}{16})(?![0-9a-z])`,
  'gi',
);

export interface AnswerToken {
  kid: string;
  action: TokenAction;
  ref: string;
  mac: string;
  /** canonical (lower-case) text of the token */
  text: string;
}

export function newAnswerRef(): string {
  // 8 random bytes → 13 base32 chars; keep 12 (60 bits).
  return encodeBase32(randomBytes(8)).slice(0, 12);
}

function computeMac(secret: Buffer, kid: string, actionChar: string, ref: string): string {
  const digest = createHmac('sha256', secret).update(`rc1:${kid}:${actionChar}${ref}`).digest();
  return encodeBase32(digest.subarray(0, 10));
}

export function mintAnswerToken(keyring: SigningKeyring, action: TokenAction, ref: string): string {
  const { kid, secret } = keyring.signing;
  const actionChar = ACTION_CHAR[action];
  return `rc-${kid}-${actionChar}${ref}-${computeMac(secret, kid, actionChar, ref)}`;
}

/** Every syntactically valid token in `text`, in order of appearance, without duplicates. */
export function findAnswerTokens(text: string): AnswerToken[] {
  const found = new Map<string, AnswerToken>();
  for (const match of text.matchAll(ANSWER_TOKEN_PATTERN)) {
    const [whole, kid, actionChar, ref, mac] = match;
    const canonical = whole.toLowerCase();
    if (found.has(canonical) || !kid || !actionChar || !ref || !mac) continue;
    const action = CHAR_ACTION[actionChar.toLowerCase()];
    if (!action) continue;
    found.set(canonical, {
      kid: kid.toLowerCase(),
      action,
      ref: ref.toLowerCase(),
      mac: mac.toLowerCase(),
      text: canonical,
    });
  }
  return [...found.values()];
}

/**
 * The text with each answer token's ref and MAC hidden: a token is a bearer credential for one
 * assignee's answer until its request is decided, and subjects and details quote them (the
 * mailto subject carries one). What is kept (key id and action) is enough to tell answers apart
 * on a page or in the inbound log, never enough to answer.
 */
export function maskAnswerTokens(text: string): string {
  return text.replace(
    ANSWER_TOKEN_PATTERN,
    (_whole, kid: string, action: string) => `rc-${kid}-${action}…(token hidden)`,
  );
}

/** Checks a token's MAC against the key its kid names, in constant time. */
export function verifyAnswerToken(keyring: SigningKeyring, token: AnswerToken): boolean {
  const key = keyring.byKid.get(token.kid);
  if (!key) return false;
  const expected = Buffer.from(
    computeMac(key.secret, token.kid, ACTION_CHAR[token.action], token.ref),
  );
  const given = Buffer.from(token.mac);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/** The Message-ID of a request email: itself a signed token, so a bare reply is recognised. */
export function signedMessageId(keyring: SigningKeyring, ref: string, domain: string): string {
  return `<${mintAnswerToken(keyring, 'reply', ref)}@${domain}>`;
}
