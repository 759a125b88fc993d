import { normalizeAddress } from '@rc/mail';
import type * as Mailauth from 'mailauth';
import type { DKIMResult } from 'mailauth';
import type { DnsResolver } from './dns-cache';

export type DkimVerdict =
  | { result: 'pass'; domain: string; detail: string }
  | { result: 'fail'; detail: string }
  /** a DNS lookup failed: the same message may pass later, so it is worth a retry */
  | { result: 'temperror'; detail: string };

export interface DkimCheck {
  /** the From address the verifier acts on, normalised */
  from: string;
  /** header fields that must be covered by the signature (lower case); `from` always is */
  signedHeaders: string[];
  /** every header field of the message, as parsed (lower-case name → values) */
  headers: ReadonlyMap<string, string[]>;
  resolver: DnsResolver;
  now: Date;
}

/**
 * mailauth is loaded only where DKIM is checked (RC_VERIFY_DKIM): it and what it brings cost a
 * process ~40 MB of memory, most verifiers never call it, and the service loads it at start-up
 * when the setting is on (so the first answer does not wait for it).
 */
let mailauth: Promise<typeof Mailauth> | undefined;
export function loadDkimVerifier(): Promise<typeof Mailauth> {
  mailauth ??= import('mailauth');
  return mailauth;
}

/** RFC 8301: RSA keys under 1024 bits must not be accepted. */
const MIN_RSA_BITS = 1024;

/**
 * Verifies the message's DKIM signatures (RFC 6376) with mailauth and passes only if one
 * signature
 *  - verifies against the key in DNS (RSA-SHA256 or Ed25519-SHA256, RSA ≥ 1024 bits),
 *  - is aligned with the From domain (RFC 7489 §3.1.1, relaxed: same organisational domain),
 *  - covers the whole body (an `l=` limit would let anyone append a second, unsigned answer),
 *  - signs the header fields the answer is read from (a token in an unsigned Subject or
 *    In-Reply-To could be spliced into someone's genuinely signed mail).
 * mailauth parses From on its own; if it does not find exactly our From address, the two
 * parsers disagree about who sent the mail, and that is a failure, never a guess.
 */
export async function checkDkim(raw: Buffer, check: DkimCheck): Promise<DkimVerdict> {
  const { dkimVerify } = await loadDkimVerifier();
  let verified: Awaited<ReturnType<typeof dkimVerify>>;
  try {
    verified = await dkimVerify(raw, {
      resolver: check.resolver,
      minBitLength: MIN_RSA_BITS,
      curTime: check.now,
    });
  } catch (error) {
    return {
      result: 'fail',
      detail: `DKIM verification failed: ${error instanceof Error ? error.message.slice(0, 100) : 'error'}`,
    };
  }
  const headerFrom = verified.headerFrom.map((address) => normalizeAddress(address));
  if (headerFrom.length !== 1 || headerFrom[0] !== check.from) {
    return {
      result: 'fail',
      detail: `DKIM sees From as ${headerFrom.join(', ') || '(none)'}, not ${check.from}`,
    };
  }
  const signatures = verified.results.filter((result) => result.signingDomain);
  if (signatures.length === 0) return { result: 'fail', detail: 'no DKIM signature' };

  const required = new Set(['from', ...check.signedHeaders.map((name) => name.toLowerCase())]);
  // DKIM signs the bottom-most instance of a field; a second, unsigned copy above it is what a
  // mail client (and a parser) may show instead (RFC 6376 §8.15).
  const doubled = [...required].filter((name) => (check.headers.get(name)?.length ?? 0) > 1);
  if (doubled.length > 0)
    return { result: 'fail', detail: `more than one ${doubled.join(', ')} field` };
  const problems: string[] = [];
  let temporary = false;
  for (const signature of signatures) {
    const problem = signatureProblem(signature, required);
    if (!problem)
      return {
        result: 'pass',
        domain: signature.signingDomain,
        detail: `dkim=pass d=${signature.signingDomain}`,
      };
    if (signature.status.result === 'temperror') temporary = true;
    problems.push(`d=${signature.signingDomain}: ${problem}`);
  }
  const detail = problems.join('; ').slice(0, 300);
  return temporary ? { result: 'temperror', detail } : { result: 'fail', detail };
}

function signatureProblem(signature: DKIMResult, required: Set<string>): string | null {
  const { status } = signature;
  if (status.result !== 'pass')
    return `${status.result}${status.comment ? ` (${status.comment})` : ''}`;
  if (!status.aligned) return 'not aligned with the From domain';
  if (status.underSized) return 'signs only part of the body (l=)';
  const signed = new Set(signedHeaderNames(signature));
  const unsigned = [...required].filter((name) => !signed.has(name));
  if (unsigned.length > 0) return `does not sign ${unsigned.join(', ')}`;
  return null;
}

/** mailauth keeps the signed header names (`h=`) in a non-typed field of each result. */
function signedHeaderNames(signature: DKIMResult): string[] {
  const keys = (signature as DKIMResult & { signingHeaders?: { keys?: unknown } }).signingHeaders
    ?.keys;
  if (typeof keys !== 'string') return [];
  return keys
    .split(':')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
}
