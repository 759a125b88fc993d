import { X509Certificate, constants, verify, type KeyObject } from 'node:crypto';
import { certificateThumbprints } from './certificates';
import { decodeBase64UrlJson } from './http-util';

export interface RegisteredCertificate {
  publicKey: KeyObject;
  /** base64url of the SHA-1 / SHA-256 thumbprints, as they appear in `x5t` / `x5t#S256` */
  x5t: string;
  x5tS256: string;
}

export function registerCertificate(certificatePem: string): RegisteredCertificate {
  const { thumbprint, thumbprintSha256 } = certificateThumbprints(certificatePem);
  return {
    publicKey: new X509Certificate(certificatePem).publicKey,
    x5t: Buffer.from(thumbprint, 'hex').toString('base64url'),
    x5tS256: Buffer.from(thumbprintSha256, 'hex').toString('base64url'),
  };
}

/** Entra tolerates this much clock skew on `nbf`/`exp` of client assertions. */
const CLOCK_SKEW_SECONDS = 300;

/**
 * Checks a client assertion the way Entra ID documents it (RFC 7523 section 3; "certificate
 * credentials" on learn.microsoft.com): RS256 with `x5t` or PS256 with `x5t#S256` naming a
 * registered certificate, `aud` the token endpoint, `iss` = `sub` = the client id, not expired.
 * Returns why it is refused, or undefined when it is good.
 */
export function checkClientAssertion(
  assertion: string,
  clientId: string,
  certificates: RegisteredCertificate[],
  acceptedAudiences: string[],
): string | undefined {
  const parts = assertion.split('.');
  if (parts.length !== 3) return 'The client assertion is not a JWS compact token.';
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  let header: Record<string, unknown>;
  let payload: Record<string, unknown>;
  try {
    header = decodeBase64UrlJson(headerPart);
    payload = decodeBase64UrlJson(payloadPart);
  } catch {
    return 'The client assertion could not be decoded.';
  }

  const certificate = certificates.find(
    (c) => header['x5t#S256'] === c.x5tS256 || header.x5t === c.x5t,
  );
  if (!certificate) {
    return `Client assertion contains an invalid signature. [Reason - The key was not found., Thumbprint of key used by client: '${String(header['x5t#S256'] ?? header.x5t)}']`;
  }
  const data = Buffer.from(`${headerPart}.${payloadPart}`);
  const signature = Buffer.from(signaturePart, 'base64url');
  let valid = false;
  if (header.alg === 'RS256') {
    valid = verify('sha256', data, certificate.publicKey, signature);
  } else if (header.alg === 'PS256') {
    valid = verify(
      'sha256',
      data,
      {
        key: certificate.publicKey,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
      },
      signature,
    );
  } else {
    return `The client assertion uses an unsupported algorithm '${String(header.alg)}'.`;
  }
  if (!valid) return 'Client assertion contains an invalid signature.';

  if (payload.iss !== clientId || payload.sub !== clientId) {
    return "The client assertion's iss and sub claims must both be the client id.";
  }
  if (typeof payload.aud !== 'string' || !acceptedAudiences.includes(payload.aud)) {
    return `The audience claim value is invalid '${String(payload.aud)}'.`;
  }
  const now = Math.floor(Date.now() / 1000);
  if (typeof payload.exp !== 'number' || payload.exp + CLOCK_SKEW_SECONDS < now) {
    return 'The provided client assertion is expired.';
  }
  if (typeof payload.nbf === 'number' && payload.nbf - CLOCK_SKEW_SECONDS > now) {
    return 'The provided client assertion is not yet valid.';
  }
  return undefined;
}
