import { readFileSync } from 'node:fs';
import { rootCertificates, type SecureContextOptions } from 'node:tls';

/**
 * TLS options for IMAP and SMTP peers. Certificates are always verified; RC_TLS_CA_FILE adds
 * a private CA to Node's trusted roots (Node's `ca` option replaces the roots, so they are
 * listed again). HTTP calls (webhook, Release) use Node's fetch: NODE_EXTRA_CA_CERTS there.
 */
export function tlsTrustOptions(caFile: string | undefined): SecureContextOptions | undefined {
  if (!caFile) return undefined;
  return { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] };
}
