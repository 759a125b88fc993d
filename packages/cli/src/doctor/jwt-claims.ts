/**
 * The claims of a JWT access token, read without verifying it: only to tell an operator which
 * scopes or roles the provider granted. Undefined for opaque tokens (Google's, for example).
 */
export function jwtClaims(token: string): Record<string, unknown> | undefined {
  const payload = token.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return claims && typeof claims === 'object' ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** `https://outlook.office.com/SMTP.Send` and `SMTP.Send` name the same permission. */
export function permissionName(scope: string): string {
  return scope.split('/').pop() ?? scope;
}

/** The permissions a token holds: delegated (`scp`, space-separated) and application (`roles`). */
export function grantedPermissions(claims: Record<string, unknown>): string[] {
  const scp = typeof claims.scp === 'string' ? claims.scp.split(' ') : [];
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((r) => typeof r === 'string')
    : [];
  return [...scp, ...roles].filter(Boolean).map(permissionName);
}
