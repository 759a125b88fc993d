import { createHash } from 'node:crypto';
import type { ConfigReader } from './reader';

/** A 32-byte AES-256 key and the id stored beside what it encrypted (for rotation). */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** RC_ENCRYPTION_KEY: secrets the product keeps in Redis; the first key encrypts, all decrypt. */
export interface EncryptionConfig {
  encryptionKeys?: EncryptionKey[];
}

const KEY_ID = /^[a-z0-9]{1,16}$/;
const EXAMPLE = '$(openssl rand -hex 32)';

/** 64 hex characters or base64 (standard or URL-safe, padded or not) of exactly 32 bytes. */
function decodeKey(text: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex');
  if (!/^[A-Za-z0-9+/_-]{43}={0,1}$/.test(text)) return undefined;
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : undefined;
}

/**
 * `key` or `kid:key[,kid:key…]`. A bare key's id is the first 8 hex characters of its SHA-256,
 * stable across restarts and replicas. Neither a key nor a key id that fails validation is ever
 * echoed: an entry is named by its position (base64 has no colon, so anything before one is an
 * intended key id, but a typo there may still be part of a key).
 */
export function readEncryptionKeys(read: ConfigReader): EncryptionKey[] | undefined {
  const text = read.string('RC_ENCRYPTION_KEY');
  if (text === undefined) return undefined;
  const keys: EncryptionKey[] = [];
  const entries = text
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const id = colon === -1 ? undefined : entry.slice(0, colon);
    const key = decodeKey(colon === -1 ? entry : entry.slice(colon + 1));
    const which = entries.length > 1 ? `entry ${index + 1}` : 'the key';
    if (id !== undefined && !KEY_ID.test(id)) {
      read.problem(
        'RC_ENCRYPTION_KEY',
        `${which}: the key id must be 1-16 lower-case letters or digits`,
        `k2:${EXAMPLE},k1:<old key>`,
      );
    } else if (!key) {
      read.problem(
        'RC_ENCRYPTION_KEY',
        `${which}: must be 32 bytes written as 64 hex characters or base64`,
        EXAMPLE,
      );
    } else {
      const kid = id ?? createHash('sha256').update(key).digest('hex').slice(0, 8);
      if (keys.some((known) => known.id === kid))
        read.problem('RC_ENCRYPTION_KEY', `key id "${kid}" is listed twice`, `k2:…,k1:…`);
      else keys.push({ id: kid, key });
    }
  });
  if (entries.length === 0) read.problem('RC_ENCRYPTION_KEY', 'holds no key', EXAMPLE);
  // With a problem this is incomplete, but loadConfig throws before anyone could use it.
  return keys;
}
