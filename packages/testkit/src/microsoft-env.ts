import { randomBytes, randomUUID } from 'node:crypto';
import type { MicrosoftFake } from './microsoft/index';

/**
 * A new app registered at the local Entra ID with a client secret, and the SPEC's RC_GRAPH_*
 * variables that point the product at it (plus RC_TLS_CA_FILE, the fake's test CA).
 */
export function graphAppEnv(ms: MicrosoftFake): Record<string, string> {
  const clientId = randomUUID();
  const secret = `s3cr3t~${randomBytes(18).toString('base64url')}`;
  ms.registerApp({ clientId, secret });
  return {
    RC_GRAPH_TENANT_ID: ms.tenantId,
    RC_GRAPH_CLIENT_ID: clientId,
    RC_GRAPH_CLIENT_SECRET: secret,
    RC_GRAPH_BASE_URL: ms.graphBaseUrl,
    RC_GRAPH_AUTHORITY_HOST: ms.authorityHost,
    RC_TLS_CA_FILE: ms.caFile,
  };
}

/**
 * A new app registered at the local Entra ID with a client secret, and the RC_OAUTH2_* variables
 * for XOAUTH2 against its token endpoint, with a fresh RC_ENCRYPTION_KEY for the sealed refresh
 * token. No refresh token: set RC_OAUTH2_REFRESH_TOKEN or sign in with `rc oauth2 login`.
 */
export function oauth2AppEnv(ms: MicrosoftFake): Record<string, string> {
  const clientId = randomUUID();
  const secret = `s3cr3t~${randomBytes(18).toString('base64url')}`;
  ms.registerApp({ clientId, secret });
  return {
    RC_OAUTH2_TOKEN_URL: ms.tokenUrl,
    RC_OAUTH2_CLIENT_ID: clientId,
    RC_OAUTH2_CLIENT_SECRET: secret,
    RC_ENCRYPTION_KEY: randomBytes(32).toString('hex'),
    RC_TLS_CA_FILE: ms.caFile,
  };
}
