import { describe, expect, it } from 'vitest';
import {
  findAnswerTokens,
  mintAnswerToken,
  newAnswerRef,
  parseSigningKeys,
  signedMessageId,
  verifyAnswerToken,
} from '../src/index';

const OLD = 'old1:' + 'a'.repeat(40);
const NEW = 'new1:' + 'b'.repeat(40);

function keyring(text: string) {
  const { keyring, problems } = parseSigningKeys(text);
  expect(problems).toEqual([]);
  return keyring!;
}

describe('answer tokens', () => {
  it('mints tokens of at most 40 characters that verify', () => {
    const keys = keyring('abcdef:' + 'z'.repeat(32));
    for (const action of ['complete', 'fail', 'reply'] as const) {
      const text = mintAnswerToken(keys, action, newAnswerRef());
      expect(text.length).toBeLessThanOrEqual(40);
      expect(text).toMatch(/^[a-z0-9-]+$/);
      const [token] = findAnswerTokens(`Re: approve [${text}]`);
      expect(token?.action).toBe(action);
      expect(verifyAnswerToken(keys, token!)).toBe(true);
    }
  });

  it('survives a client that upper-cases the subject', () => {
    const keys = keyring(NEW);
    const text = mintAnswerToken(keys, 'complete', newAnswerRef());
    const [token] = findAnswerTokens(`RE: ${text.toUpperCase()}`);
    expect(token?.text).toBe(text);
    expect(verifyAnswerToken(keys, token!)).toBe(true);
  });

  it('rejects a token with any single character changed', () => {
    const keys = keyring(NEW);
    const text = mintAnswerToken(keys, 'complete', newAnswerRef());
    const prefix = 'rc-new1-'.length;
    for (let i = prefix; i < text.length; i++) {
      if (text[i] === '-') continue;
      const swapped = text[i] === 'c' ? 'f' : text[i] === '0' ? '1' : '0';
      const tampered = text.slice(0, i) + swapped + text.slice(i + 1);
      const [token] = findAnswerTokens(tampered);
      if (token) expect(verifyAnswerToken(keys, token), tampered).toBe(false);
    }
  });

  it('verifies with every listed key and signs with the first (rotation)', () => {
    const before = keyring(OLD);
    const rotated = keyring(`${NEW},${OLD}`);
    const retired = keyring(NEW);
    const oldToken = findAnswerTokens(mintAnswerToken(before, 'fail', newAnswerRef()))[0]!;
    expect(verifyAnswerToken(rotated, oldToken)).toBe(true);
    expect(verifyAnswerToken(retired, oldToken)).toBe(false);
    expect(findAnswerTokens(mintAnswerToken(rotated, 'fail', newAnswerRef()))[0]?.kid).toBe('new1');
  });

  it('finds the token in a signed Message-ID', () => {
    const keys = keyring(NEW);
    const id = signedMessageId(keys, newAnswerRef(), 'rc.example');
    const [token] = findAnswerTokens(`<other@x.example>, ${id}`);
    expect(token?.action).toBe('reply');
    expect(verifyAnswerToken(keys, token!)).toBe(true);
  });
});

describe('parseSigningKeys', () => {
  it('reports every problem without echoing secrets', () => {
    const { keyring, problems } = parseSigningKeys(
      'BAD:' + 'x'.repeat(40) + ',k2:short,k3,k2:tooshort',
    );
    expect(keyring).toBeUndefined();
    expect(problems).toHaveLength(4);
    expect(problems.join(' ')).not.toContain('short,');
    expect(problems.join(' ')).not.toContain('x'.repeat(10));
  });
});
