import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import { CheckProblem } from './check';

/** OpenSSL's verdicts that mean "no trusted CA issued this certificate". */
const UNTRUSTED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
]);

function nameOf(part: PeerCertificate['subject'] | undefined): string {
  const value = part?.CN ?? part?.O;
  return (Array.isArray(value) ? value[0] : value) ?? 'unnamed';
}

/**
 * Why a certificate is refused, and what to change, in one line each. `where` names the peer
 * (`smtp.corp.example:465`), `hostVariable` the variable holding its name.
 */
export function certificateProblem(
  code: string,
  where: { host: string; port: number; hostVariable: string; tlsCaFile?: string },
  certificate?: PeerCertificate,
): CheckProblem {
  const at = `${where.host}:${where.port}`;
  const issuer = certificate ? `, issued by "${nameOf(certificate.issuer)}"` : '';
  if (UNTRUSTED.has(code)) {
    const fix = where.tlsCaFile
      ? `RC_TLS_CA_FILE (${where.tlsCaFile}) does not hold the CA that issued it: add that CA's PEM certificate to the file`
      : "put the PEM certificate of the CA that issued it into a file and set RC_TLS_CA_FILE to that file's path";
    return new CheckProblem(
      `the certificate of ${at} is not trusted (${code}${issuer})`,
      `${fix}; never turn verification off`,
    );
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = certificate?.subjectaltname?.replace(/(DNS|IP Address):/g, '') ?? 'other names';
    return new CheckProblem(
      `the certificate of ${at} is for ${names}, not for ${where.host}`,
      `set ${where.hostVariable} to a name the certificate holds (${names.split(',')[0]?.trim() ?? ''}), or have the certificate reissued with ${where.host}`,
    );
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return new CheckProblem(
      `the certificate of ${at} expired on ${certificate?.valid_to ?? 'an earlier date'}`,
      "renew the server's certificate",
    );
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return new CheckProblem(
      `the certificate of ${at} is valid only from ${certificate?.valid_from ?? 'a later date'}`,
      'check the clock of this machine (and of the server)',
    );
  }
  return new CheckProblem(`the certificate of ${at} is refused (${code}${issuer})`);
}

/**
 * Judges a TLS session opened with `rejectUnauthorized: false` (so the certificate can be shown
 * in the message) exactly as a verifying client would: chain first, then the host name.
 */
export function judgeCertificate(
  socket: TLSSocket,
  where: Parameters<typeof certificateProblem>[1],
): void {
  const certificate = socket.getPeerCertificate();
  if (!socket.authorized) {
    const code = String(
      (socket.authorizationError as unknown as { code?: string })?.code ??
        socket.authorizationError,
    );
    throw certificateProblem(code, where, certificate);
  }
  const mismatch = checkServerIdentity(where.host, certificate);
  if (mismatch) throw certificateProblem('ERR_TLS_CERT_ALTNAME_INVALID', where, certificate);
}

/** A connection error as the operator reads it: the code, and what it most likely means. */
export function networkProblem(
  error: unknown,
  where: { host: string; port: number; hostVariable: string; portVariable?: string },
): CheckProblem {
  const code = (error as { code?: string }).code ?? (error as Error).name;
  const at = `${where.host}:${where.port}`;
  const variables = where.portVariable
    ? `${where.hostVariable} and ${where.portVariable}`
    : where.hostVariable;
  switch (code) {
    case 'ECONNREFUSED':
      return new CheckProblem(
        `nothing accepts connections at ${at} (ECONNREFUSED)`,
        `check ${variables}, and that the server runs`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CheckProblem(
        `the host ${where.host} is not found in DNS (${code})`,
        `check ${where.hostVariable}`,
      );
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'ETIMEDOUT':
      return new CheckProblem(
        `${at} cannot be reached (${code})`,
        `check ${variables} and that a firewall lets this machine connect`,
      );
    case 'ECONNRESET':
      return new CheckProblem(
        `${at} closed the connection (ECONNRESET)`,
        `check ${variables}: the port may speak another protocol or refuse this machine`,
      );
    default:
      return new CheckProblem(`${at}: ${code}`);
  }
}
