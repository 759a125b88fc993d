/**
 * Entra ID (and RFC 6749 §5.2) token-endpoint errors: `{error, error_description, error_codes}`,
 * where the description starts "AADSTSnnnnn: …". The AADSTS number says what to fix far better
 * than the OAuth2 error name, so each common one maps to one line an operator can act on.
 */
export interface EntraError {
  /** OAuth2 error name: invalid_client, invalid_grant, unauthorized_client, … */
  error: string;
  /** Entra's AADSTS number, when there is one. */
  aadsts?: number;
  /** The first sentence of error_description (Entra's, never a secret of ours). */
  summary?: string;
}

const FIXES: Record<number, string> = {
  7000215: 'the client secret is wrong: configure the secret VALUE, not its ID',
  7000222: 'the client secret has expired: create a new one in the app registration',
  700016:
    'the app (client id) is not found in this tenant: check the client id and tenant id, and that an admin consented to the app in this tenant',
  90002:
    'the tenant is not found: check the tenant id (or domain) and the authority host (national clouds)',
  900023: 'the tenant id is malformed: use the directory (tenant) id GUID or a verified domain',
  700027:
    'the certificate is not registered on the app: upload its public part under Certificates & secrets',
  700024: 'the client assertion is outside its validity window: check the clock of this machine',
  65001:
    'admin consent is missing: grant admin consent for the permissions in the app registration',
  65004: 'the user declined consent: sign in again and accept',
  50173:
    'the refresh token was revoked (password changed or sessions revoked): sign in again (rc oauth2 login)',
  70008:
    'the refresh token has expired or was not used for too long: sign in again (rc oauth2 login)',
  700082: 'the refresh token expired from inactivity: sign in again (rc oauth2 login)',
  50076: 'multi-factor authentication is required: sign in again interactively (rc oauth2 login)',
  50079: 'multi-factor enrollment is required for the mailbox user: enrol, then sign in again',
  53003: 'a Conditional Access policy blocked the token: exclude the app or allow its location',
  50126: 'the user name or password is wrong',
  50034: 'the user does not exist in this tenant',
  50057: 'the user account is disabled',
  700054: 'the response type is not enabled for the app',
  70016: 'the user has not entered the sign-in code yet',
  70020: 'the sign-in code expired before it was used: run rc oauth2 login again',
  9002313: 'the request is malformed or the grant invalid: sign in again (rc oauth2 login)',
  7000218:
    'the request needs a client secret or certificate, or "Allow public client flows" on the app (device code)',
  1002012: 'the scope is invalid: application tokens use <resource>/.default',
  70011: 'the scope is invalid: check RC_OAUTH2_SCOPE',
  70000: 'the grant is invalid or was issued to another app: sign in again',
  500011: 'the resource is not found in the tenant: check the Graph base URL (national cloud?)',
};

const GENERIC_FIXES: Record<string, string> = {
  invalid_client: 'the client credentials are wrong: check the client id, secret or certificate',
  invalid_grant: 'the refresh token or grant is no longer valid: sign in again (rc oauth2 login)',
  unauthorized_client: 'the app may not use this grant: check the app registration',
  invalid_scope: 'the requested scope is not allowed for this app',
  consent_required: 'admin consent is missing: grant it in the app registration',
  interaction_required: 'the user must sign in interactively again (rc oauth2 login)',
  temporarily_unavailable: 'the identity provider is temporarily unavailable: retried with backoff',
  server_error: 'the identity provider failed: retried with backoff',
};

/** Parses a token endpoint's error body; undefined when it is not one. */
export function parseEntraError(body: unknown): EntraError | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const {
    error,
    error_description: description,
    error_codes: codes,
  } = body as Record<string, unknown>;
  if (typeof error !== 'string' || error === '') return undefined;
  const text = typeof description === 'string' ? description : '';
  const first = Array.isArray(codes) && typeof codes[0] === 'number' ? codes[0] : undefined;
  return {
    error,
    aadsts: first ?? aadstsIn(text),
    summary: summarise(text),
  };
}

/** The AADSTS number mentioned in a message (msal puts Entra's description into its errors). */
export function aadstsIn(text: string): number | undefined {
  const match = /AADSTS(\d{5,8})/.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** What to fix, in one line. */
export function entraFix(error: EntraError): string {
  return (
    (error.aadsts !== undefined ? FIXES[error.aadsts] : undefined) ??
    GENERIC_FIXES[error.error] ??
    'see the identity provider error above'
  );
}

/** One log-safe line: "invalid_client AADSTS7000215: <fix>". */
export function describeEntraError(error: EntraError): string {
  const code = error.aadsts !== undefined ? ` AADSTS${error.aadsts}` : '';
  return `${error.error}${code}: ${entraFix(error)}`;
}

function summarise(description: string): string | undefined {
  // Entra appends trace and correlation ids and timestamps: the first sentence says it all.
  const withoutCode = description.replace(/^AADSTS\d+:\s*/, '');
  const first = withoutCode.split(/(?<=\.)\s|\r?\n/)[0]?.trim();
  return first ? first.slice(0, 200) : undefined;
}
