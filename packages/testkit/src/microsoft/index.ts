/**
 * A local Entra ID and Microsoft Graph (mail) for tests, written from Microsoft's documents for
 * exactly what remote-completion uses. Both speak HTTPS with a certificate made at test time.
 *
 *   const ms = await startMicrosoftFake();
 *   ms.registerApp({ clientId, secret })            // or { clientId, certificatePem }
 *   ms.mailbox('rc@contoso.test').put(rawMime)      // a message arrives
 *   // product: RC_GRAPH_AUTHORITY_HOST=ms.authorityHost, RC_GRAPH_BASE_URL=ms.graphBaseUrl,
 *   //          RC_GRAPH_TENANT_ID=ms.tenantId, RC_TLS_CA_FILE=ms.caFile
 *   ms.throttle({ count: 5, status: 429, retryAfterSeconds: 0.5 })
 *   ms.stats.graph.retryAfterViolations              // must stay empty
 *   await ms.close()
 *
 * Entra (`authorityHost`, e.g. https://127.0.0.1:PORT): `/{tenant}/v2.0/.well-known/openid-configuration`,
 * `/common/discovery/instance`, `POST /{tenant}/oauth2/v2.0/token` (client_credentials with a
 * secret or a certificate assertion, refresh_token with strict or lenient rotation, device_code),
 * `POST /{tenant}/oauth2/v2.0/devicecode`, AADSTS errors in Entra's JSON shape.
 * `introspectionUrl` (plain HTTP, RFC 7662) reports live user tokens for the Outlook audience,
 * for Dovecot's oauth2 passdb and the SMTP relay (see mail-stack's `oauth2` option).
 *
 * Graph (`graphBaseUrl`, https://127.0.0.1:PORT2/v1.0): messages list/get/`$value`/delete/move/delta,
 * mailFolders and childFolders, sendMail (MIME and JSON), subscriptions with the validation
 * handshake, notifications and lifecycle events; 429/503 injection; Outlook's 4-concurrent
 * limit per mailbox; bearer tokens checked against this Entra.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createAppCertificate, createTestCertificateAuthority } from './certificates';
import { registerCertificate } from './client-assertion';
import { DeviceCodeStore } from './device-codes';
import { createEntraHandler, handleIntrospection } from './entra-server';
import type { AppRegistration } from './entra-token-endpoint';
import { EntraTokenStore } from './entra-tokens';
import { fakeSettings } from './fake-settings';
import { GraphMailbox } from './graph-mailbox';
import type { SentMail } from './graph-send-mail';
import { createGraphHandler, type GraphServerContext } from './graph-server';
import { SubscriptionRegistry } from './graph-subscription-routes';
import { NotificationSender } from './graph-subscriptions';
import { GraphThrottle } from './graph-throttle';
import { onProcessExit } from '../exit-cleanup';
import { guarded } from './http-util';
import type { FakeMailbox, MicrosoftFake, MicrosoftFakeOptions } from './microsoft-fake';

export type * from './microsoft-fake';
export { createAppCertificate };

const DEFAULT_USER_SCOPES = [
  'https://outlook.office.com/IMAP.AccessAsUser.All',
  'https://outlook.office.com/SMTP.Send',
  'offline_access',
];

function listen(server: Server): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
}

export async function startMicrosoftFake(
  options: MicrosoftFakeOptions = {},
): Promise<MicrosoftFake> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rc-ms-'));
  // The CA and app keys must not outlive a test worker that dies without close().
  const unhook = onProcessExit(() => rmSync(dir, { recursive: true, force: true }));
  const ca = await createTestCertificateAuthority(dir);
  const tenantId = options.tenantId ?? crypto.randomUUID();
  let authorityHost = '';
  let graphBaseUrl = '';
  const tokens = new EntraTokenStore(tenantId, `https://sts.windows.net/${tenantId}/`);
  tokens.rotation = options.refreshTokenRotation ?? 'strict';
  if (options.accessTokenLifetimeSeconds)
    tokens.lifetimes.accessTokenSeconds = options.accessTokenLifetimeSeconds;
  if (options.refreshTokenLifetimeSeconds)
    tokens.lifetimes.refreshTokenSeconds = options.refreshTokenLifetimeSeconds;
  const deviceCodes = new DeviceCodeStore();
  if (options.deviceCodeIntervalSeconds !== undefined)
    deviceCodes.intervalSeconds = options.deviceCodeIntervalSeconds;
  const apps = new Map<string, AppRegistration>();
  const mailAudience = options.mailAudience ?? 'https://outlook.office.com';

  const entraCtx = {
    tenantId,
    tenantAliases: options.tenantAliases ?? [],
    apps,
    tokens,
    deviceCodes,
    introspectionAudience: mailAudience,
    authorityHost: () => authorityHost,
    tokenEndpointAudiences: () => [
      `${authorityHost}/${tenantId}/oauth2/v2.0/token`,
      ...(options.tenantAliases ?? []).map((a) => `${authorityHost}/${a}/oauth2/v2.0/token`),
    ],
  };
  const entra = createHttpsServer(
    { key: ca.server.keyPem, cert: ca.server.certPem },
    guarded(createEntraHandler(entraCtx)),
  );
  const introspection = createHttpServer(
    guarded(async (req, res) => {
      if (req.method === 'POST' && req.url === '/introspect')
        await handleIntrospection(entraCtx, req, res);
      else res.writeHead(404).end();
    }),
  );

  const mailboxes = new Map<string, GraphMailbox>();
  const sentMail: SentMail[] = [];
  const sender = new NotificationSender(ca.caPem, tenantId);
  const subscriptions = new SubscriptionRegistry(
    sender,
    () => graphBaseUrl,
    (user) => mailboxes.has(user.toLowerCase()),
  );
  const throttle = new GraphThrottle();
  const mailboxOf = (user: string): GraphMailbox => {
    const key = user.toLowerCase();
    let mailbox = mailboxes.get(key);
    if (!mailbox) {
      const created = new GraphMailbox(user);
      created.onArrival = (message) =>
        subscriptions.messageArrived(user, message, (folderKey) => created.folder(folderKey)?.id);
      mailboxes.set(key, created);
      mailbox = created;
    }
    return mailbox;
  };
  const graphCtx: GraphServerContext = {
    baseUrl: () => graphBaseUrl,
    audience: options.graphAudience ?? 'https://graph.microsoft.com',
    tokens,
    mailbox: (user) => mailboxes.get(user.toLowerCase()),
    throttle,
    subscriptions,
    latencyMs: 0,
    sendMailMaxBytes: options.sendMailMaxBytes ?? 4 * 1024 * 1024,
    deliver: (mail) => {
      sentMail.push(mail);
      if (options.onSendMail) {
        void Promise.resolve(options.onSendMail(mail)).catch(() => undefined);
        return;
      }
      for (const recipient of mail.recipients)
        mailboxes.get(recipient.toLowerCase())?.put(mail.raw);
    },
  };
  const graph = createHttpsServer(
    { key: ca.server.keyPem, cert: ca.server.certPem },
    guarded(createGraphHandler(graphCtx)),
  );

  const entraPort = await listen(entra);
  const graphPort = await listen(graph);
  const introspectionPort = await listen(introspection);
  authorityHost = `https://127.0.0.1:${entraPort}`;
  graphBaseUrl = `https://127.0.0.1:${graphPort}/v1.0`;

  const fakeMailbox = (user: string): FakeMailbox => {
    const mailbox = mailboxOf(user);
    return {
      user: mailbox.user,
      put: (raw, receivedAt, folder) => mailbox.put(raw, receivedAt, folder),
      list: (folder = 'inbox') => mailbox.list(folder),
      folders: () => [...mailbox.folders.values()],
      folder: (key) => mailbox.folder(key),
      move: (id, folder) => {
        const message = mailbox.find(id);
        const destination = mailbox.folder(folder);
        if (!message || !destination) throw new Error(`no message ${id} or folder ${folder}`);
        return mailbox.move(message, destination);
      },
      remove: (id) => {
        const message = mailbox.find(id);
        if (!message) throw new Error(`no message ${id}`);
        mailbox.delete(message);
      },
      expireDeltaTokens: () => {
        mailbox.syncEpoch++;
      },
    };
  };
  const defaultClientId = (): string => {
    const first = apps.keys().next();
    if (first.done) throw new Error('registerApp first: tokens belong to an app');
    return first.value;
  };

  let closing: Promise<void> | undefined;
  return {
    authorityHost,
    authorityHostAndPort: `127.0.0.1:${entraPort}`,
    tenantId,
    tokenUrl: `${authorityHost}/${tenantId}/oauth2/v2.0/token`,
    graphBaseUrl,
    caFile: ca.caFile,
    caPem: ca.caPem,
    serverTls: { keyPem: ca.server.keyPem, certPem: ca.server.certPem },
    introspectionUrl: `http://127.0.0.1:${introspectionPort}/introspect`,
    registerApp({ clientId, secret, certificatePem }) {
      const app = apps.get(clientId) ?? { clientId, secrets: [], certificates: [] };
      if (secret) app.secrets.push(secret);
      if (certificatePem) app.certificates.push(registerCertificate(certificatePem));
      apps.set(clientId, app);
    },
    createAppCertificate: (name) => createAppCertificate(dir, name),
    issueRefreshToken: (
      user,
      { clientId = defaultClientId(), scopes = DEFAULT_USER_SCOPES } = {},
    ) =>
      tokens.issueRefreshToken(
        clientId,
        user,
        scopes.includes('offline_access') ? scopes : [...scopes, 'offline_access'],
      ),
    issueAccessToken: (
      user,
      { clientId = defaultClientId(), scopes = DEFAULT_USER_SCOPES, lifetimeSeconds } = {},
    ) =>
      tokens.issueAccessToken(
        { clientId, user, scopes, audience: mailAudienceOf(scopes, mailAudience) },
        lifetimeSeconds,
      ).token,
    issueAppToken: ({ clientId = defaultClientId(), lifetimeSeconds } = {}) =>
      tokens.issueAccessToken(
        { clientId, scopes: [`${graphCtx.audience}/.default`], audience: graphCtx.audience },
        lifetimeSeconds,
      ).token,
    mailbox: fakeMailbox,
    sentMail,
    throttle: (rule) => throttle.inject(rule),
    lifecycle: (event, subscriptionId) => subscriptions.lifecycle(event, subscriptionId),
    dropSubscription: (subscriptionId) => subscriptions.drop(subscriptionId),
    subscriptions: () => subscriptions.live(),
    notifications: sender.deliveries,
    deviceCodes: {
      pending: () => deviceCodes.pending(),
      approve: (user, userCode) => deviceCodes.approve(user, userCode),
      deny: (userCode) => deviceCodes.deny(userCode),
    },
    revokeAll: (filter) => tokens.revokeAll(filter),
    revokeRefreshToken: (token) => tokens.revokeRefreshToken(token),
    revokeAccessToken: (token) => tokens.revokeAccessToken(token),
    settings: fakeSettings(tokens, deviceCodes, graphCtx, throttle),
    stats: { tokensIssued: tokens.issued, graph: throttle.stats },
    close() {
      closing ??= (async () => {
        await sender.close();
        for (const server of [entra, graph, introspection]) {
          server.closeAllConnections();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        }
        await rm(dir, { recursive: true, force: true });
        unhook();
      })();
      return closing;
    },
  };
}

/** The audience of directly issued user tokens: the scopes' resource, else the mail audience. */
function mailAudienceOf(scopes: string[], fallback: string): string {
  const resource = scopes.map((s) => /^(https?:\/\/[^/]+)\//.exec(s)?.[1]).find(Boolean);
  return resource ?? fallback;
}
