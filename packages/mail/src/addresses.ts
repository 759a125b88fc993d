import { domainToASCII } from 'node:url';

export interface ParsedAddress {
  /** lower-cased, trimmed; the domain in punycode ASCII so that IDN domains compare equal */
  address: string;
  name: string;
}

/**
 * Canonical form of an address for comparison: lower case, and the domain in its ASCII
 * (punycode) form. mailparser turns `xn--` domains into Unicode, while configuration and the
 * store may hold either, so both sides go through this one function.
 */
export function canonicalAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return trimmed;
  const domain = trimmed.slice(at + 1);
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(domain) && !domain.includes('xn--')) return trimmed;
  // domainToASCII returns '' for a domain it cannot convert; keep what we were given then.
  const ascii = domainToASCII(domain);
  return ascii ? `${trimmed.slice(0, at + 1)}${ascii}` : trimmed;
}

/** An addr-spec with something on both sides of the last `@`. */
export function isMailboxAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && at < address.length - 1 && !/\s/.test(address);
}
