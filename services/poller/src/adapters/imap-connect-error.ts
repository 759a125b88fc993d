import { CodedError } from '@rc/contracts';

/** imapflow marks a refused LOGIN/AUTHENTICATE with `authenticationFailed`. */
export function connectError(error: unknown, where: string): CodedError {
  if ((error as { authenticationFailed?: unknown } | null)?.authenticationFailed === true)
    return new CodedError(
      `IMAP login refused for ${where}: check RC_IMAP_USER and RC_IMAP_PASSWORD (or the RC_OAUTH2_* credentials with RC_IMAP_AUTH=oauth2)`,
      'AUTH_FAILED',
      { cause: error },
    );
  return new CodedError(
    `IMAP connection to ${where} failed: ${error instanceof Error ? error.message : String(error)}`,
    'MAILBOX_UNAVAILABLE',
    { cause: error },
  );
}
