/**
 * Stable error codes (like imapflow's `lib/errors.js`): every failure a job can end in carries
 * one, dead letters record it, logs and metrics label by it, alerts match on it. Add codes;
 * never rename one.
 */
export const ERROR_CODES = Object.freeze({
  PAYLOAD_INVALID: 'the job payload does not match its queue contract; dead-lettered unprocessed',
  JOB_STALLED:
    'the worker holding the job stopped (crash, kill or a blocked event loop) too many times',
  ATTEMPTS_EXHAUSTED: 'the job failed on every attempt (RC_RETRY_ATTEMPTS)',
  REQUEST_GONE: 'the request no longer exists in Redis (past its retention)',
  VERIFY_TEMPORARY: 'a temporary failure while verifying (a DKIM key lookup that timed out)',
  ENGINE_REJECTED: 'the engine answered 4xx (not 408, 409 or 429): retrying cannot fix it',
  ENGINE_UNAVAILABLE: 'the engine was unreachable, timed out or answered 5xx, 408 or 429',
  MAIL_SEND_FAILED: 'the outgoing mail server or Graph refused the message',
  MAIL_TOO_LARGE: 'the outgoing message is larger than the transport accepts in one request',
  MAILBOX_UNAVAILABLE: 'the mailbox could not be reached or read',
  PROVIDER_THROTTLED: 'the provider asked us to slow down (429/503 with Retry-After)',
  AUTH_FAILED: 'the provider refused our credentials (password, client secret or certificate)',
  OAUTH2_REFRESH_FAILED:
    'the OAuth2 refresh token was refused (revoked, expired, consent withdrawn)',
  CONFIG_INVALID: 'the configuration is invalid',
  UNEXPECTED: 'an error without a code of its own (a bug: please report it)',
  LEASE_LOST: 'this poller is no longer the active one for its mailbox: it removes nothing',
  REDIS_UNAVAILABLE: 'Redis did not answer in time (down, restarting or unreachable)',
} as const);

export type ErrorCode = keyof typeof ERROR_CODES;

/** An Error with a stable code from ERROR_CODES. */
export class CodedError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'CodedError';
  }
}

/** The code of any thrown value: its own when it has one from the table, else UNEXPECTED. */
export function errorCodeOf(error: unknown): ErrorCode {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code in ERROR_CODES ? (code as ErrorCode) : 'UNEXPECTED';
}
