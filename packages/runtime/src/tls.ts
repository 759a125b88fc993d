import { readFileSync } from 'node:fs';
import { rootCertificates, type SecureContextOptions } from 'node:tls';

/**
 * TLS options for IMAP and SMTP peers and the engines' HTTPS agent. Certificates are always
 * verified; RC_TLS_CA_FILE adds a private CA to Node's trusted roots (Node's `ca` option
 * replaces the roots, so they are listed again).
 */
export function tlsTrustOptions(caFile: string | undefined): SecureContextOptions | undefined {
  if (!caFile) return undefined;
  return { ca: [...rootCertificates, readFileSync(caFile, 'utf8')] };
}
