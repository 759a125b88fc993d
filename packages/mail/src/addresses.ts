export interface ParsedAddress {
  /** lower-cased, trimmed; the domain in punycode ASCII so that IDN domains compare equal */
  address: string;
  name: string;
}

/** An addr-spec with something on both sides of the last `@`. */
export function isMailboxAddress(address: string): boolean {
  const at = address.lastIndexOf('@');
  return at > 0 && at < address.length - 1 && !/\s/.test(address);
}
