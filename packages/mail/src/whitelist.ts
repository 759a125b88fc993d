import { domainToASCII } from 'node:url';

/**
 * Whether an address's domain is allowed. Entries are exact domains (`corp.example`) or, opt-in,
 * subdomain patterns (`*.corp.example` matches `eu.corp.example` but not `corp.example` itself
 * nor `evilcorp.example`). Both sides are compared as lower-case punycode, so an IDN whitelist
 * entry and an IDN address meet in the same form.
 */
export function isAddressWhitelisted(address: string, domains: readonly string[]): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const domain = domainToASCII(
    address
      .slice(at + 1)
      .trim()
      .toLowerCase(),
  );
  if (!domain) return false;
  return domains.some((entry) => {
    const wildcard = entry.startsWith('*.');
    const base = domainToASCII((wildcard ? entry.slice(2) : entry).toLowerCase());
    if (!base) return false;
    return wildcard ? domain.endsWith(`.${base}`) : domain === base;
  });
}

/** Lower-case local part and punycode domain: the one form addresses are compared in. */
export function normalizeAddress(address: string): string {
  const trimmed = address.trim().toLowerCase();
  const at = trimmed.lastIndexOf('@');
  if (at < 0) return trimmed;
  const domain = domainToASCII(trimmed.slice(at + 1)) || trimmed.slice(at + 1);
  return `${trimmed.slice(0, at).normalize('NFC')}@${domain}`;
}
