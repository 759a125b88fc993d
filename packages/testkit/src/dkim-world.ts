import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';

/** mailauth's resolver shape, `dns.resolve(name, rrtype)`; TXT answers as string chunks. */
export type TxtResolver = (name: string, rrtype: string) => Promise<string[][]>;

/** DKIM keys made in the test, published through a stub resolver that counts lookups. */
export interface DkimWorld {
  resolver: TxtResolver;
  lookups(): number;
  publish(name: string, record: string): void;
  /** makes every lookup fail as a DNS timeout would */
  breakDns(broken: boolean): void;
  sign(raw: string, options: DkimSignOptions): Promise<string>;
}

export interface DkimSignOptions {
  domain: string;
  selector: string;
  key: KeyObject;
  algorithm?: 'rsa-sha256' | 'ed25519-sha256';
  /** the h= list; default: the usual fields that are present */
  headerList?: string[];
  /** the l= tag: sign only this many octets of the canonical body */
  maxBodyLength?: number;
}

export function rsaKey(bits = 2048) {
  return generateKeyPairSync('rsa', { modulusLength: bits });
}

export function ed25519Key() {
  return generateKeyPairSync('ed25519');
}

/** The DKIM TXT record (RFC 6376 §3.6.1; RFC 8463 for Ed25519: the raw 32-byte key). */
export function dkimRecord(publicKey: KeyObject): string {
  const der = publicKey.export({ type: 'spki', format: 'der' });
  if (publicKey.asymmetricKeyType === 'ed25519')
    return `v=DKIM1; k=ed25519; p=${der.subarray(12).toString('base64')}`;
  return `v=DKIM1; k=rsa; p=${der.toString('base64')}`;
}

const DEFAULT_SIGNED = [
  'from',
  'sender',
  'reply-to',
  'subject',
  'date',
  'message-id',
  'to',
  'cc',
  'mime-version',
  'content-type',
  'content-transfer-encoding',
  'in-reply-to',
  'references',
];

/** RFC 6376 §3.4.2 relaxed header canonicalisation, without the trailing CRLF. */
function relaxedHeader(field: string): string {
  const colon = field.indexOf(':');
  const name = field.slice(0, colon).trim().toLowerCase();
  const value = field
    .slice(colon + 1)
    .replace(/\r\n/g, '')
    .replace(/[ \t]+/g, ' ')
    .trim();
  return `${name}:${value}`;
}

/** RFC 6376 §3.4.4 relaxed body canonicalisation. */
function relaxedBody(body: string): Buffer {
  const lines = body.split('\r\n').map((line) => line.replace(/[ \t]+/g, ' ').replace(/ $/, ''));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return Buffer.from(lines.length > 0 ? `${lines.join('\r\n')}\r\n` : '', 'utf8');
}

/** The header fields of a header section, folds kept, in order. */
function headerFields(section: string): string[] {
  const fields: string[] = [];
  for (const line of section.split('\r\n')) {
    if ((line.startsWith(' ') || line.startsWith('\t')) && fields.length > 0)
      fields[fields.length - 1] += `\r\n${line}`;
    else if (line.includes(':')) fields.push(line);
  }
  return fields;
}

/**
 * A DKIM signature (RFC 6376, relaxed/relaxed; RSA-SHA256, or Ed25519-SHA256 per RFC 8463)
 * written from the RFC with node:crypto, independent of the mailauth the verifier checks with.
 * Returns the message with CRLF line ends and the DKIM-Signature field on top.
 */
export function signDkim(raw: string, options: DkimSignOptions): string {
  const message = raw.replace(/\r?\n/g, '\r\n');
  const split = message.indexOf('\r\n\r\n');
  const fields = headerFields(split < 0 ? message : message.slice(0, split));
  const body = relaxedBody(split < 0 ? '' : message.slice(split + 4));
  const signedBody =
    options.maxBodyLength === undefined ? body : body.subarray(0, options.maxBodyLength);
  const nameOf = (field: string) => field.slice(0, field.indexOf(':')).trim().toLowerCase();
  const present = new Set(fields.map(nameOf));
  const names = options.headerList ?? DEFAULT_SIGNED.filter((name) => present.has(name));
  // §5.4.2: several instances of a field are signed from the bottom up
  const unused = [...fields];
  const canonical = names.map((name) => {
    const index = unused.map(nameOf).lastIndexOf(name.toLowerCase());
    return index < 0 ? null : relaxedHeader(unused.splice(index, 1)[0] ?? '');
  });
  const algorithm =
    options.algorithm ??
    (options.key.asymmetricKeyType === 'ed25519' ? 'ed25519-sha256' : 'rsa-sha256');
  const tags = [
    'v=1',
    `a=${algorithm}`,
    'c=relaxed/relaxed',
    `d=${options.domain}`,
    `s=${options.selector}`,
    `t=${Math.floor(Date.now() / 1000)}`,
    `h=${names.join(':')}`,
    `bh=${createHash('sha256').update(signedBody).digest('base64')}`,
    ...(options.maxBodyLength === undefined ? [] : [`l=${options.maxBodyLength}`]),
    'b=',
  ].join('; ');
  const unsigned = `DKIM-Signature: ${tags}`;
  const data = Buffer.from(
    [...canonical.filter((line) => line !== null), relaxedHeader(unsigned)]
      .map((line, index, all) => (index < all.length - 1 ? `${line}\r\n` : line))
      .join(''),
    'utf8',
  );
  const signature =
    algorithm === 'ed25519-sha256'
      ? sign(null, createHash('sha256').update(data).digest(), options.key)
      : sign('sha256', data, options.key);
  return `${unsigned}${signature.toString('base64')}\r\n${message}`;
}

export function dkimWorld(): DkimWorld {
  const records = new Map<string, string>();
  let lookups = 0;
  let broken = false;
  return {
    async resolver(name, rrtype) {
      lookups += 1;
      if (broken) throw Object.assign(new Error(`queryTxt ETIMEOUT ${name}`), { code: 'ETIMEOUT' });
      const record = rrtype === 'TXT' ? records.get(name.toLowerCase()) : undefined;
      if (record === undefined)
        throw Object.assign(new Error(`queryTxt ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
      // DNS splits long TXT records into strings of at most 255 bytes.
      return [record.match(/.{1,255}/g) ?? []];
    },
    lookups: () => lookups,
    publish(name, record) {
      records.set(name.toLowerCase(), record);
    },
    breakDns(value) {
      broken = value;
    },
    async sign(raw, options) {
      return signDkim(raw, options);
    },
  };
}
