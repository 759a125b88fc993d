import { describe, expect, it } from 'vitest';
import { hashToken, pickRefreshToken } from '../src/refresh-token-store';

const stored = (refreshToken: string, configured?: string) => ({
  refreshToken,
  configuredHash: configured ? hashToken(configured) : undefined,
  storedAt: 0,
});

describe('which refresh token is used', () => {
  it('the stored one when it came from the configured one', () => {
    expect(pickRefreshToken(stored('rt2', 'rt1'), 'rt1')).toEqual({
      refreshToken: 'rt2',
      source: 'stored',
    });
  });
  it('the stored one when nothing is configured (rc oauth2 login)', () => {
    expect(pickRefreshToken(stored('rt2'), undefined)).toEqual({
      refreshToken: 'rt2',
      source: 'stored',
    });
  });
  it('a newly configured one over a stored one from another', () => {
    expect(pickRefreshToken(stored('rt2', 'rt1'), 'new')).toEqual({
      refreshToken: 'new',
      source: 'configured',
    });
    expect(pickRefreshToken(stored('rt2'), 'new')).toEqual({
      refreshToken: 'new',
      source: 'configured',
    });
  });
  it('the configured one when nothing is stored, and nothing when neither is', () => {
    expect(pickRefreshToken(undefined, 'rt1')).toEqual({
      refreshToken: 'rt1',
      source: 'configured',
    });
    expect(pickRefreshToken(undefined, undefined)).toBeUndefined();
  });
});
