/**
 * Crockford's base32, lower case: digits and letters without i, l, o, u. Mail clients,
 * URL encoders and people reading tokens aloud leave these characters alone, and matching is
 * case-insensitive, so a client that upper-cases a subject does not break a token.
 */
export const BASE32_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

export function encodeBase32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32_ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32_ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}
