/** Just enough RFC 5322 header reading for the message properties Graph reports. */
export function readHeaders(raw: Buffer): Map<string, string> {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end);
  const headers = new Map<string, string>();
  // Unfold continuation lines (RFC 5322 section 2.2.3) before splitting.
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

export function bodyOf(raw: Buffer): string {
  const text = raw.toString('utf8');
  const end = /\r?\n\r?\n/.exec(text);
  return end ? text.slice(end.index + end[0].length) : '';
}

export function addressesIn(value: string | undefined): string[] {
  return (value ?? '').match(/[^\s<>,;:"()]+@[^\s<>,;:"()]+/g) ?? [];
}

export interface GraphEmailAddress {
  emailAddress: { name: string; address: string };
}

export function graphAddresses(value: string | undefined): GraphEmailAddress[] {
  return addressesIn(value).map((address) => ({ emailAddress: { name: address, address } }));
}
