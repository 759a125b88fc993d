import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendAadstsError } from './entra-errors';
import { handleTokenRequest, type EntraContext } from './entra-token-endpoint';
import { parseScopes } from './entra-tokens';
import { readForm, sendJson } from './http-util';

export interface EntraServerContext extends EntraContext {
  /** `https://127.0.0.1:PORT`, known once the server listens */
  authorityHost(): string;
  /** names the tenant also answers to besides its id, e.g. `contoso.onmicrosoft.com` */
  tenantAliases: string[];
  /** the audience whose user tokens the introspection endpoint reports active */
  introspectionAudience: string;
}

/** Tenant-independent names msal-node and clients may put in the authority path. */
const MULTI_TENANT = new Set(['common', 'organizations']);

function tenantUrls(ctx: EntraServerContext): Record<string, string> {
  const base = `${ctx.authorityHost()}/${ctx.tenantId}`;
  return {
    issuer: `${base}/v2.0`,
    authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
    token_endpoint: `${base}/oauth2/v2.0/token`,
    device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
    end_session_endpoint: `${base}/oauth2/v2.0/logout`,
    jwks_uri: `${base}/discovery/v2.0/keys`,
  };
}

/** The fields msal-common checks (`isOpenIdConfigResponse`) plus what Entra also returns. */
function openIdConfiguration(ctx: EntraServerContext): Record<string, unknown> {
  return {
    ...tenantUrls(ctx),
    token_endpoint_auth_methods_supported: [
      'client_secret_post',
      'private_key_jwt',
      'client_secret_basic',
    ],
    response_modes_supported: ['query', 'fragment', 'form_post'],
    subject_types_supported: ['pairwise'],
    id_token_signing_alg_values_supported: ['RS256'],
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    request_uri_parameter_supported: false,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    tenant_region_scope: 'EU',
    cloud_instance_name: 'microsoftonline.com',
    cloud_graph_host_name: 'graph.windows.net',
    msgraph_host: 'graph.microsoft.com',
  };
}

/**
 * `GET /common/discovery/instance?api-version=1.1&authorization_endpoint=…`: msal asks it only
 * when the host is not in knownAuthorities; one cloud whose only alias is this host.
 */
function instanceDiscovery(ctx: EntraServerContext, url: URL): Record<string, unknown> {
  const host = new URL(ctx.authorityHost()).host;
  const endpoint = url.searchParams.get('authorization_endpoint') ?? '';
  const tenant = /^https:\/\/[^/]+\/([^/]+)\//.exec(endpoint)?.[1] ?? 'common';
  return {
    tenant_discovery_endpoint: `${ctx.authorityHost()}/${tenant}/v2.0/.well-known/openid-configuration`,
    'api-version': '1.1',
    metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }],
  };
}

export function createEntraHandler(
  ctx: EntraServerContext,
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const knownTenant = (tenant: string): boolean =>
    tenant === ctx.tenantId || ctx.tenantAliases.includes(tenant) || MULTI_TENANT.has(tenant);

  return async (req, res) => {
    const url = new URL(req.url ?? '/', ctx.authorityHost());
    if (req.method === 'GET' && url.pathname === '/common/discovery/instance') {
      sendJson(res, 200, instanceDiscovery(ctx, url));
      return;
    }
    const match = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
    const tenant = decodeURIComponent(match?.[1] ?? '');
    const rest = match?.[2] ?? '';
    if (!match) {
      sendJson(res, 404, { error: 'not_found' });
      return;
    }
    if (!knownTenant(tenant)) {
      sendAadstsError(
        res,
        'unknownTenant',
        `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
      return;
    }
    if (req.method === 'GET' && rest === 'v2.0/.well-known/openid-configuration') {
      sendJson(res, 200, openIdConfiguration(ctx));
    } else if (req.method === 'GET' && rest === 'discovery/v2.0/keys') {
      sendJson(res, 200, { keys: [] });
    } else if (req.method === 'POST' && rest === 'oauth2/v2.0/token') {
      handleTokenRequest(ctx, await readForm(req), req, res);
    } else if (req.method === 'POST' && rest === 'oauth2/v2.0/devicecode') {
      await handleDeviceCodeRequest(ctx, req, res);
    } else if (req.method === 'POST' && rest === 'oauth2/v2.0/introspect') {
      await handleIntrospection(ctx, req, res);
    } else {
      sendJson(res, 404, {
        error: 'not_found',
        error_description: `${req.method} ${url.pathname}`,
      });
    }
  };
}

async function handleDeviceCodeRequest(
  ctx: EntraServerContext,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = await readForm(req);
  const clientId = form.get('client_id') ?? '';
  if (!ctx.apps.has(clientId)) {
    sendAadstsError(
      res,
      'unknownApplication',
      `Application with identifier '${clientId}' was not found in the directory '${ctx.tenantId}'.`,
    );
    return;
  }
  const { deviceCode, userCode } = ctx.deviceCodes.start(clientId, parseScopes(form.get('scope')));
  const verificationUri = `${ctx.authorityHost()}/common/oauth2/deviceauth`;
  sendJson(res, 200, {
    user_code: userCode,
    device_code: deviceCode,
    verification_uri: verificationUri,
    expires_in: ctx.deviceCodes.expiresInSeconds,
    interval: ctx.deviceCodes.intervalSeconds,
    message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
  });
}

/**
 * RFC 7662 token introspection, as Dovecot's oauth2 passdb (`introspection_mode = post`) and the
 * SMTP relay call it. Entra has no such endpoint; it stands in for Outlook's own token check, so
 * only live user tokens for the mail audience are active (a Graph token fails, as in Outlook).
 */
export async function handleIntrospection(
  ctx: Pick<EntraServerContext, 'tokens' | 'introspectionAudience'>,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const form = await readForm(req);
  const found = ctx.tokens.lookupAccessToken(form.get('token') ?? '');
  if (!found.ok || !found.record.user || found.record.audience !== ctx.introspectionAudience) {
    sendJson(res, 200, { active: false });
    return;
  }
  const { record } = found;
  sendJson(res, 200, {
    active: true,
    email: record.user,
    username: record.user,
    sub: record.user,
    client_id: record.clientId,
    scope: record.scopes.join(' '),
    aud: record.audience,
    token_type: 'Bearer',
    exp: Math.floor(record.expiresAtMs / 1000),
  });
}
