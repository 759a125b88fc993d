import { ConfidentialClientApplication } from '@azure/msal-node';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMicrosoftFake, trustingNetworkClient, type MicrosoftFake } from '../src/index';
import { sleep } from '../src/wait';

const GRAPH_SCOPE = 'https://graph.microsoft.com/.default';
const USER = 'approver@contoso.test';

let ms: MicrosoftFake;
let dispatcher: Agent;
let network: ReturnType<typeof trustingNetworkClient>;

beforeAll(async () => {
  ms = await startMicrosoftFake({ tenantAliases: ['contoso.onmicrosoft.com'] });
  dispatcher = new Agent({ connect: { ca: ms.caPem } });
  network = trustingNetworkClient(ms.caPem);
  ms.registerApp({ clientId: 'app-secret', secret: 's3cret-value' });
  ms.registerApp({ clientId: 'public-app' });
  ms.mailbox('rc@contoso.test');
});

afterAll(async () => {
  await network?.close();
  await dispatcher?.close();
  await ms?.close();
});

function confidentialClient(
  clientId: string,
  credentials: { clientSecret: string } | { clientCertificate: Record<string, string> },
): ConfidentialClientApplication {
  return new ConfidentialClientApplication({
    auth: {
      clientId,
      authority: `${ms.authorityHost}/${ms.tenantId}`,
      knownAuthorities: [ms.authorityHostAndPort],
      ...credentials,
    } as ConstructorParameters<typeof ConfidentialClientApplication>[0]['auth'],
    system: { networkClient: network },
  });
}

async function postForm(
  url: string,
  form: Record<string, string>,
): Promise<{ status: number; body: any }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
    dispatcher,
  });
  return { status: response.status, body: await response.json() };
}

async function graphGet(token: string, path: string): Promise<number> {
  const response = await fetch(`${ms.graphBaseUrl}${path}`, {
    headers: { authorization: `Bearer ${token}` },
    dispatcher,
  });
  await response.arrayBuffer();
  return response.status;
}

describe('Entra ID fake with msal-node 7 (unmodified)', () => {
  it('issues an app token for a client secret, and msal caches it across calls', async () => {
    const before = ms.stats.tokensIssued.client_credentials;
    const cca = confidentialClient('app-secret', { clientSecret: 's3cret-value' });
    const first = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
    const second = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
    expect(first?.accessToken).toBeTruthy();
    expect(second?.accessToken).toBe(first?.accessToken);
    expect(second?.fromCache).toBe(true);
    expect(ms.stats.tokensIssued.client_credentials).toBe(before + 1);
    expect(
      await graphGet(first!.accessToken, '/users/rc@contoso.test/mailFolders/inbox/messages'),
    ).toBe(200);
  });

  it('serves OpenID metadata and instance discovery that msal-node takes as configuration', async () => {
    const get = async (url: string) => (await fetch(url, { dispatcher })).json() as Promise<any>;
    const authority = `${ms.authorityHost}/${ms.tenantId}`;
    const metadata = await get(`${authority}/v2.0/.well-known/openid-configuration`);
    expect(metadata).toMatchObject({
      issuer: `${authority}/v2.0`,
      token_endpoint: `${authority}/oauth2/v2.0/token`,
      device_authorization_endpoint: `${authority}/oauth2/v2.0/devicecode`,
    });
    const discovery = await get(
      `${ms.authorityHost}/common/discovery/instance?api-version=1.1&authorization_endpoint=${encodeURIComponent(`${authority}/oauth2/v2.0/authorize`)}`,
    );
    expect(discovery.metadata[0].aliases).toEqual([ms.authorityHostAndPort]);
    // Configured instead of discovered: msal then asks the network for neither.
    const cca = new ConfidentialClientApplication({
      auth: {
        clientId: 'app-secret',
        clientSecret: 's3cret-value',
        authority,
        knownAuthorities: [ms.authorityHostAndPort],
        authorityMetadata: JSON.stringify(metadata),
        cloudDiscoveryMetadata: JSON.stringify(discovery),
      },
      system: { networkClient: network },
    });
    const result = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
    expect(result?.accessToken).toBeTruthy();
  });

  it('issues an app token for a certificate assertion (PS256 x5t#S256 and RS256 x5t)', async () => {
    const certificate = await ms.createAppCertificate('cert-app');
    ms.registerApp({ clientId: 'app-cert', certificatePem: certificate.certificatePem });
    const modern = confidentialClient('app-cert', {
      clientCertificate: {
        thumbprintSha256: certificate.thumbprintSha256,
        privateKey: certificate.privateKeyPem,
      },
    });
    const legacy = confidentialClient('app-cert', {
      clientCertificate: {
        thumbprint: certificate.thumbprint,
        privateKey: certificate.privateKeyPem,
      },
    });
    for (const cca of [modern, legacy]) {
      const result = await cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] });
      expect(await graphGet(result!.accessToken, '/users/rc@contoso.test/mailFolders')).toBe(200);
    }
  });

  it('refuses an assertion signed by a certificate that is not registered', async () => {
    const stranger = await ms.createAppCertificate('stranger');
    const cca = confidentialClient('app-cert', {
      clientCertificate: {
        thumbprintSha256: stranger.thumbprintSha256,
        privateKey: stranger.privateKeyPem,
      },
    });
    await expect(cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })).rejects.toThrow(
      /AADSTS700027/,
    );
  });

  it('answers a wrong secret with AADSTS7000215 in Entra JSON shape', async () => {
    const cca = confidentialClient('app-secret', { clientSecret: 'wrong' });
    await expect(cca.acquireTokenByClientCredential({ scopes: [GRAPH_SCOPE] })).rejects.toThrow(
      /AADSTS7000215/,
    );
    const { status, body } = await postForm(ms.tokenUrl, {
      client_id: 'app-secret',
      client_secret: 'wrong',
      grant_type: 'client_credentials',
      scope: GRAPH_SCOPE,
    });
    expect(status).toBe(401);
    expect(body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(body.error_description).toMatch(/^AADSTS7000215: /);
    expect(body).toHaveProperty('trace_id');
    expect(body).toHaveProperty('correlation_id');
    expect(body).toHaveProperty('timestamp');
    expect(JSON.stringify(body)).not.toContain('wrong"');
  });

  it('answers an unknown app with AADSTS700016 and an unknown tenant with AADSTS90002', async () => {
    const unknownApp = await postForm(ms.tokenUrl, {
      client_id: 'nobody',
      client_secret: 'x',
      grant_type: 'client_credentials',
      scope: GRAPH_SCOPE,
    });
    expect(unknownApp.body.error_codes).toEqual([700016]);
    const unknownTenant = await postForm(`${ms.authorityHost}/not-a-tenant/oauth2/v2.0/token`, {
      client_id: 'app-secret',
      client_secret: 's3cret-value',
      grant_type: 'client_credentials',
      scope: GRAPH_SCOPE,
    });
    expect(unknownTenant.status).toBe(400);
    expect(unknownTenant.body.error_codes).toEqual([90002]);
    const alias = await postForm(`${ms.authorityHost}/contoso.onmicrosoft.com/oauth2/v2.0/token`, {
      client_id: 'app-secret',
      client_secret: 's3cret-value',
      grant_type: 'client_credentials',
      scope: GRAPH_SCOPE,
    });
    expect(alias.status).toBe(200);
  });

  it('rotates refresh tokens strictly by default and leniently on request', async () => {
    const first = ms.issueRefreshToken(USER, { clientId: 'public-app' });
    const refresh = (token: string) =>
      postForm(ms.tokenUrl, {
        client_id: 'public-app',
        grant_type: 'refresh_token',
        refresh_token: token,
      });
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    expect(rotated.body.refresh_token).toBeTruthy();
    expect(rotated.body.refresh_token).not.toBe(first);
    const reused = await refresh(first);
    expect(reused.body).toMatchObject({ error: 'invalid_grant', error_codes: [50173] });

    ms.settings.refreshTokenRotation = 'lenient';
    try {
      const again = await refresh(rotated.body.refresh_token);
      expect(again.status).toBe(200);
      expect((await refresh(rotated.body.refresh_token)).status).toBe(200);
    } finally {
      ms.settings.refreshTokenRotation = 'strict';
    }
  });

  it('refuses an expired refresh token with AADSTS70008 and a revoked one with AADSTS50173', async () => {
    ms.settings.refreshTokenLifetimeSeconds = 0.05;
    const expiring = ms.issueRefreshToken(USER, { clientId: 'public-app' });
    ms.settings.refreshTokenLifetimeSeconds = 90 * 24 * 3600;
    await sleep(80);
    const expired = await postForm(ms.tokenUrl, {
      client_id: 'public-app',
      grant_type: 'refresh_token',
      refresh_token: expiring,
    });
    expect(expired.body.error_codes).toEqual([70008]);
    const live = ms.issueRefreshToken(USER, { clientId: 'public-app' });
    ms.revokeAll({ user: USER });
    const revoked = await postForm(ms.tokenUrl, {
      client_id: 'public-app',
      grant_type: 'refresh_token',
      refresh_token: live,
    });
    expect(revoked.body.error_codes).toEqual([50173]);
  });

  it('runs the device code flow: pending, approved once, denied', async () => {
    const start = await postForm(`${ms.authorityHost}/${ms.tenantId}/oauth2/v2.0/devicecode`, {
      client_id: 'public-app',
      scope: 'https://outlook.office.com/IMAP.AccessAsUser.All offline_access',
    });
    expect(start.body).toMatchObject({
      interval: expect.any(Number),
      expires_in: expect.any(Number),
    });
    expect(start.body.verification_uri).toMatch(/^https:\/\//);
    const poll = () =>
      postForm(ms.tokenUrl, {
        client_id: 'public-app',
        grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
        device_code: start.body.device_code,
      });
    const pending = await poll();
    expect(pending.body).toMatchObject({ error: 'authorization_pending', error_codes: [70016] });
    ms.deviceCodes.approve(USER, start.body.user_code);
    const granted = await poll();
    expect(granted.status).toBe(200);
    expect(granted.body.refresh_token).toBeTruthy();
    expect((await poll()).body.error).toBe('invalid_grant');

    const second = await postForm(`${ms.authorityHost}/${ms.tenantId}/oauth2/v2.0/devicecode`, {
      client_id: 'public-app',
      scope: 'offline_access https://outlook.office.com/SMTP.Send',
    });
    ms.deviceCodes.deny();
    const denied = await postForm(ms.tokenUrl, {
      client_id: 'public-app',
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: second.body.device_code,
    });
    expect(denied.body.error).toBe('authorization_declined');
  });

  it('introspects live mail tokens only (RFC 7662)', async () => {
    const introspect = async (token: string) => {
      const response = await fetch(ms.introspectionUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      });
      return (await response.json()) as Record<string, unknown>;
    };
    const token = ms.issueAccessToken('someone@contoso.test', { clientId: 'public-app' });
    expect(await introspect(token)).toMatchObject({ active: true, email: 'someone@contoso.test' });
    const graphToken = ms.issueAccessToken('someone@contoso.test', {
      clientId: 'public-app',
      scopes: ['https://graph.microsoft.com/Mail.Read'],
    });
    expect(await introspect(graphToken)).toEqual({ active: false });
    ms.revokeAccessToken(token);
    expect(await introspect(token)).toEqual({ active: false });
    expect(await introspect('garbage')).toEqual({ active: false });
  });

  it('lets a test make app tokens expire, and Graph then answers 401 InvalidAuthenticationToken', async () => {
    ms.settings.accessTokenLifetimeSeconds = 0.1;
    try {
      const { body } = await postForm(ms.tokenUrl, {
        client_id: 'app-secret',
        client_secret: 's3cret-value',
        grant_type: 'client_credentials',
        scope: GRAPH_SCOPE,
      });
      expect(await graphGet(body.access_token, '/users/rc@contoso.test/mailFolders')).toBe(200);
      await sleep(150);
      const response = await fetch(`${ms.graphBaseUrl}/users/rc@contoso.test/mailFolders`, {
        headers: { authorization: `Bearer ${body.access_token}` },
        dispatcher,
      });
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        error: {
          code: 'InvalidAuthenticationToken',
          innerError: { 'request-id': expect.any(String) },
        },
      });
    } finally {
      ms.settings.accessTokenLifetimeSeconds = 3600;
    }
  });
});
