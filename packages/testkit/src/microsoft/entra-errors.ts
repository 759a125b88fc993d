import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { sendJson } from './http-util';

/**
 * The AADSTS errors the fake produces, with the OAuth error and HTTP status Entra ID answers them
 * with (learn.microsoft.com/entra/identity-platform/reference-error-codes).
 */
export const AADSTS = {
  invalidClientSecret: { code: 7000215, error: 'invalid_client', status: 401 },
  invalidClientAssertion: { code: 700027, error: 'invalid_client', status: 401 },
  unknownApplication: { code: 700016, error: 'unauthorized_client', status: 400 },
  unknownTenant: { code: 90002, error: 'invalid_request', status: 400 },
  refreshTokenExpired: { code: 70008, error: 'invalid_grant', status: 400 },
  refreshTokenRevoked: { code: 50173, error: 'invalid_grant', status: 400 },
  authorizationPending: { code: 70016, error: 'authorization_pending', status: 400 },
  deviceCodeExpired: { code: 70020, error: 'expired_token', status: 400 },
  authorizationDeclined: { code: 70000, error: 'authorization_declined', status: 400 },
  invalidGrant: { code: 9002313, error: 'invalid_grant', status: 400 },
  missingClientCredential: { code: 7000218, error: 'invalid_client', status: 401 },
  publicClientWithCredential: { code: 700025, error: 'invalid_client', status: 401 },
  unsupportedGrantType: { code: 70003, error: 'unsupported_grant_type', status: 400 },
  missingParameter: { code: 900144, error: 'invalid_request', status: 400 },
  invalidScope: { code: 70011, error: 'invalid_scope', status: 400 },
} as const;

export type AadstsKind = keyof typeof AADSTS;

/** Entra's error JSON: the description starts with the AADSTS code and ends with trace data. */
export function sendAadstsError(res: ServerResponse, kind: AadstsKind, message: string): void {
  const { code, error, status } = AADSTS[kind];
  const traceId = randomUUID();
  const correlationId = randomUUID();
  const timestamp = new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
  sendJson(res, status, {
    error,
    error_description:
      `AADSTS${code}: ${message}\r\nTrace ID: ${traceId}\r\n` +
      `Correlation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
    error_codes: [code],
    timestamp,
    trace_id: traceId,
    correlation_id: correlationId,
    error_uri: `https://login.microsoftonline.com/error?code=${code}`,
  });
}
