import { execFile } from 'node:child_process';
import { X509Certificate, createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);
// From PATH: Debian has it in /usr/bin, other machines elsewhere.
const OPENSSL = 'openssl';
const EC_P256_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

export interface TestCertificateAuthority {
  /** PEM file of the CA: what the product trusts through RC_TLS_CA_FILE */
  caFile: string;
  caPem: string;
  /** key and certificate for 127.0.0.1 and localhost, signed by the CA */
  server: { keyPem: string; certPem: string };
}

export interface AppCertificate {
  /** the certificate and its private key in one PEM, as RC_GRAPH_CLIENT_CERTIFICATE_FILE holds */
  pem: string;
  certificatePem: string;
  privateKeyPem: string;
  /** hex SHA-256 of the DER certificate: msal-node's `clientCertificate.thumbprintSha256` */
  thumbprintSha256: string;
  /** hex SHA-1 of the DER certificate: the legacy `x5t` thumbprint */
  thumbprint: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await execFileAsync(OPENSSL, args, { cwd, timeout: 30_000 });
}

/**
 * A throw-away CA and a server certificate for 127.0.0.1/localhost, made at test time so no key
 * is ever committed. EC P-256 keys keep generation fast on two shared cores.
 */
export async function createTestCertificateAuthority(
  dir: string,
): Promise<TestCertificateAuthority> {
  const file = (name: string): string => path.join(dir, name);
  await openssl(
    [
      'req',
      '-x509',
      ...EC_P256_KEY,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=rc-testkit test CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  await openssl(
    [
      'req',
      ...EC_P256_KEY,
      '-keyout',
      'server.key',
      '-out',
      'server.csr',
      '-subj',
      '/CN=127.0.0.1',
    ],
    dir,
  );
  // Node checks the subjectAltName, never the CN, so the IP and the name both go in there.
  await writeFile(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n',
  );
  await openssl(
    [
      'x509',
      '-req',
      '-in',
      'server.csr',
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      'server.pem',
      '-days',
      '2',
      '-extfile',
      'server.ext',
    ],
    dir,
  );
  return {
    caFile: file('ca.pem'),
    caPem: await readFile(file('ca.pem'), 'utf8'),
    server: {
      keyPem: await readFile(file('server.key'), 'utf8'),
      certPem: await readFile(file('server.pem'), 'utf8'),
    },
  };
}

/**
 * A self-signed RSA certificate for an app registration. RSA, because Entra accepts only RSA
 * keys for client assertions (RS256 with `x5t`, PS256 with `x5t#S256`).
 */
export async function createAppCertificate(dir: string, name = 'app'): Promise<AppCertificate> {
  await openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
    ],
    dir,
  );
  const certificatePem = await readFile(path.join(dir, `${name}.crt`), 'utf8');
  const privateKeyPem = await readFile(path.join(dir, `${name}.key`), 'utf8');
  const pem = `${certificatePem.trim()}\n${privateKeyPem.trim()}\n`;
  await writeFile(path.join(dir, `${name}.pem`), pem, { mode: 0o600 });
  return { pem, certificatePem, privateKeyPem, ...certificateThumbprints(certificatePem) };
}

export function certificateThumbprints(certificatePem: string): {
  thumbprint: string;
  thumbprintSha256: string;
} {
  const der = new X509Certificate(certificatePem).raw;
  return {
    thumbprint: createHash('sha1').update(der).digest('hex'),
    thumbprintSha256: createHash('sha256').update(der).digest('hex'),
  };
}
