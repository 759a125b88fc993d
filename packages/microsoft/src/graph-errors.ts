import { CodedError, type ErrorCode } from '@rc/contracts';

/** A failed Graph call: the stable code, plus what the caller may branch on. */
export class GraphRequestError extends CodedError {
  constructor(
    message: string,
    code: ErrorCode,
    readonly details: {
      status?: number;
      /** Graph's `error.code`, e.g. ErrorItemNotFound, ErrorMimeContentInvalidBase64String. */
      graphCode?: string;
      /** For PROVIDER_THROTTLED: how long until the mailbox may be called again. */
      retryAfterMs?: number;
    } = {},
  ) {
    super(message, code);
    this.name = 'GraphRequestError';
  }

  get status(): number | undefined {
    return this.details.status;
  }

  get graphCode(): string | undefined {
    return this.details.graphCode;
  }

  get retryAfterMs(): number | undefined {
    return this.details.retryAfterMs;
  }
}

/** Graph's error body: `{"error": {"code", "message", "innerError"}}`. */
export function graphErrorOf(text: string): { code?: string; message?: string } {
  try {
    const error = (JSON.parse(text) as { error?: { code?: unknown; message?: unknown } }).error;
    return {
      code: typeof error?.code === 'string' ? error.code : undefined,
      message: typeof error?.message === 'string' ? error.message.slice(0, 200) : undefined,
    };
  } catch {
    return {};
  }
}

export function errorForStatus(
  method: string,
  path: string,
  status: number,
  bodyText: string,
  failureCode: ErrorCode,
): GraphRequestError {
  const { code: graphCode, message } = graphErrorOf(bodyText);
  const what = `Graph ${method} ${path} answered ${status}${graphCode ? ` ${graphCode}` : ''}`;
  const details = { status, graphCode };
  if (status === 401) {
    return new GraphRequestError(
      `${what}: the app token is not accepted (check the tenant and that the app registration is intact)`,
      'AUTH_FAILED',
      details,
    );
  }
  if (status === 403) {
    return new GraphRequestError(
      `${what}: access denied (grant the application permissions Mail.ReadWrite and Mail.Send with admin consent; an application access policy or RBAC scope must include the mailbox)`,
      'AUTH_FAILED',
      details,
    );
  }
  if (status === 413) {
    return new GraphRequestError(`${what}: the request is too large`, 'MAIL_TOO_LARGE', details);
  }
  return new GraphRequestError(`${what}${message ? `: ${message}` : ''}`, failureCode, details);
}
