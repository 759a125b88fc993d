/** One signing key. `kid` travels inside every token so that verification can pick the key. */
export interface SigningKey {
  kid: string;
  secret: Buffer;
}

/** The first key signs; every key verifies (rotation without invalidating sent requests). */
export interface SigningKeyring {
  signing: SigningKey;
  byKid: ReadonlyMap<string, SigningKey>;
}

export const KID_PATTERN = /^[a-z0-9]{1,6}$/;
export const MIN_SECRET_LENGTH = 32;

/**
 * Parses `kid:secret[,kid:secret…]`. Returns problems rather than throwing so configuration
 * can report every one of them at once; problems never echo a secret.
 */
export function parseSigningKeys(text: string): { keyring?: SigningKeyring; problems: string[] } {
  const problems: string[] = [];
  const keys: SigningKey[] = [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) problems.push('no key given');
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    if (colon <= 0) {
      problems.push(`entry ${index + 1} is not kid:secret`);
      return;
    }
    const kid = entry.slice(0, colon);
    const secret = entry.slice(colon + 1);
    if (!KID_PATTERN.test(kid)) {
      // Not echoed: a bare secret with a colon in it would otherwise leak its first part.
      problems.push(`entry ${index + 1}: the key id must be 1-6 lower-case letters or digits`);
      return;
    }
    if (secret.length < MIN_SECRET_LENGTH) {
      problems.push(`the secret of key "${kid}" is shorter than ${MIN_SECRET_LENGTH} characters`);
      return;
    }
    if (keys.some((key) => key.kid === kid)) {
      problems.push(`key id "${kid}" is listed twice`);
      return;
    }
    keys.push({ kid, secret: Buffer.from(secret, 'utf8') });
  });
  const [signing] = keys;
  if (problems.length > 0 || !signing) return { problems };
  return { keyring: { signing, byKid: new Map(keys.map((key) => [key.kid, key])) }, problems };
}
