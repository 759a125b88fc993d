import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox } from '../src/secret-box';

const oldKey = { id: 'k1', key: randomBytes(32) };
const newKey = { id: 'k2', key: randomBytes(32) };

describe('secret box', () => {
  it('seals with the first key into v1:<kid>:<iv>:<tag>:<ciphertext> and opens again', () => {
    const box = createSecretBox([oldKey]);
    const sealed = box.seal('refresh-token-value', 'ctx');
    expect(sealed).toMatch(/^v1:k1:[\w-]+:[\w-]+:[\w-]+$/);
    expect(sealed).not.toContain('refresh-token-value');
    expect(box.open(sealed, 'ctx')).toBe('refresh-token-value');
  });

  it('rotates: the new first key seals, the old one still opens what it sealed', () => {
    const sealedBefore = createSecretBox([oldKey]).seal('before');
    const rotated = createSecretBox([newKey, oldKey]);
    expect(rotated.open(sealedBefore)).toBe('before');
    expect(rotated.seal('after')).toMatch(/^v1:k2:/);
  });

  it('names the missing key id when a key was dropped, never the plain text', () => {
    const sealed = createSecretBox([oldKey]).seal('secret');
    expect(() => createSecretBox([newKey]).open(sealed)).toThrow(/key "k1".*no longer lists/);
  });

  it('refuses a value moved under another context or altered', () => {
    const box = createSecretBox([oldKey]);
    const sealed = box.seal('secret', 'rc:oauth2:refresh-token:a');
    expect(() => box.open(sealed, 'rc:oauth2:refresh-token:b')).toThrow(/does not open/);
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join(':'), 'rc:oauth2:refresh-token:a')).toThrow(/does not open/);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => createSecretBox([{ id: 'k', key: randomBytes(16) }])).toThrow(/32 bytes/);
    expect(() => createSecretBox([])).toThrow(/RC_ENCRYPTION_KEY/);
  });
});
