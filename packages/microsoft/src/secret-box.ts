import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { CodedError } from '@rc/contracts';
import type { EncryptionKey } from '@rc/runtime';

/**
 * AES-256-GCM for the few secrets kept in Redis. Sealed form: `v1:<kid>:<iv>:<tag>:<ciphertext>`
 * (base64url). The key id says which key opens it, so keys rotate: the first key seals, every
 * listed key opens. `context` (e.g. the Redis key) is bound as additional data, so a sealed value
 * copied under another key does not open.
 */
export interface SecretBox {
  seal(plainText: string, context?: string): string;
  open(sealed: string, context?: string): string;
}

const VERSION = 'v1';

export function createSecretBox(keys: EncryptionKey[]): SecretBox {
  const first = keys[0];
  if (!first) throw new CodedError('RC_ENCRYPTION_KEY is required', 'CONFIG_INVALID');
  const byId = new Map<string, Buffer>();
  for (const { id, key } of keys) {
    if (!/^[A-Za-z0-9_.-]+$/.test(id)) {
      throw new CodedError(
        'an encryption key id may use letters, digits, _ . - only',
        'CONFIG_INVALID',
      );
    }
    if (key.length !== 32) {
      throw new CodedError(`encryption key "${id}" must be 32 bytes`, 'CONFIG_INVALID');
    }
    byId.set(id, key);
  }

  return {
    seal(plainText, context = '') {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', first.key, iv);
      cipher.setAAD(additionalData(first.id, context));
      const cipherText = Buffer.concat([cipher.update(plainText, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [VERSION, first.id, b64(iv), b64(tag), b64(cipherText)].join(':');
    },
    open(sealed, context = '') {
      const [version, kid, iv, tag, cipherText, ...rest] = sealed.split(':');
      if (version !== VERSION || !kid || !iv || !tag || cipherText === undefined || rest.length) {
        throw new CodedError('sealed secret has an unknown format', 'CONFIG_INVALID');
      }
      const key = byId.get(kid);
      if (!key) {
        throw new CodedError(
          `secret was sealed with encryption key "${kid}", which RC_ENCRYPTION_KEY no longer lists: add it back (after the new first key) or store the secret again`,
          'CONFIG_INVALID',
        );
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAAD(additionalData(kid, context));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([
          decipher.update(Buffer.from(cipherText, 'base64url')),
          decipher.final(),
        ]).toString('utf8');
      } catch {
        throw new CodedError(
          `secret sealed with key "${kid}" does not open: the key changed under the same id, or the value was altered`,
          'CONFIG_INVALID',
        );
      }
    },
  };
}

function additionalData(kid: string, context: string): Buffer {
  return Buffer.from(`${VERSION}:${kid}:${context}`, 'utf8');
}

function b64(bytes: Buffer): string {
  return bytes.toString('base64url');
}
