import { describe, expect, it } from 'vitest';
import { describeEntraError, parseEntraError } from '../src/entra-errors';

// Shapes as Entra answers them (learn.microsoft.com, "Microsoft identity platform error codes").
const wrongSecret = {
  error: 'invalid_client',
  error_description:
    "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '11111111-1111-1111-1111-111111111111'. Trace ID: 0c8b Correlation ID: 9f1e Timestamp: 2024-01-01 00:00:00Z",
  error_codes: [7000215],
  timestamp: '2024-01-01 00:00:00Z',
  trace_id: '0c8b',
  correlation_id: '9f1e',
};

describe('Entra errors', () => {
  it('maps AADSTS codes to what to fix', () => {
    const parsed = parseEntraError(wrongSecret);
    expect(parsed).toMatchObject({ error: 'invalid_client', aadsts: 7000215 });
    expect(parsed?.summary).toBe('Invalid client secret provided.');
    expect(describeEntraError(parsed!)).toBe(
      'invalid_client AADSTS7000215: the client secret is wrong: configure the secret VALUE, not its ID',
    );
    const revoked = parseEntraError({
      error: 'invalid_grant',
      error_description: 'AADSTS50173: The provided grant has expired due to it being revoked.',
    });
    expect(revoked?.aadsts).toBe(50173);
    expect(describeEntraError(revoked!)).toMatch(/revoked.*rc oauth2 login/);
    expect(describeEntraError(parseEntraError({ error: 'invalid_grant' })!)).toMatch(
      /sign in again/,
    );
  });

  it('is not fooled by bodies that are not token errors', () => {
    expect(parseEntraError({ access_token: 'x' })).toBeUndefined();
    expect(parseEntraError('oops')).toBeUndefined();
    expect(parseEntraError({ error: { code: 'ErrorItemNotFound' } })).toBeUndefined();
  });
});
