import type { AppCertificate } from './certificates';
import type { PendingDeviceCode } from './device-codes';
import type { GrantType, RefreshTokenRotation } from './entra-tokens';
import type { MailFolder, StoredMessage } from './graph-mailbox';
import type { SentMail } from './graph-send-mail';
import type { LifecycleEvent, NotificationDelivery, Subscription } from './graph-subscriptions';
import type { GraphStats, ThrottleRule } from './graph-throttle';

export type {
  AppCertificate,
  GrantType,
  GraphStats,
  LifecycleEvent,
  MailFolder,
  NotificationDelivery,
  PendingDeviceCode,
  RefreshTokenRotation,
  SentMail,
  StoredMessage,
  Subscription,
  ThrottleRule,
};

export interface MicrosoftFakeOptions {
  /** default: a random GUID */
  tenantId?: string;
  /** other names the tenant answers to, e.g. 'contoso.onmicrosoft.com' */
  tenantAliases?: string[];
  accessTokenLifetimeSeconds?: number;
  refreshTokenLifetimeSeconds?: number;
  /** 'strict' (default): a refresh token is revoked when used; 'lenient': Microsoft's behaviour */
  refreshTokenRotation?: RefreshTokenRotation;
  /** the Graph audience (national clouds: e.g. 'https://graph.microsoft.us') */
  graphAudience?: string;
  /** the audience introspection accepts (XOAUTH2 for IMAP/SMTP) */
  mailAudience?: string;
  /** seconds between device-code polls the server asks for (Entra: 5) */
  deviceCodeIntervalSeconds?: number;
  /** a cap on one sendMail request (MIME form: the base64 body); default 4 MB */
  sendMailMaxBytes?: number;
  /**
   * What happens to sent mail besides being recorded in `sentMail`: by default it is delivered to
   * the Inbox of each recipient that has a fake mailbox; a callback takes over instead.
   */
  onSendMail?: (mail: SentMail) => void | Promise<void>;
}

export interface FakeMailbox {
  readonly user: string;
  /** delivers a message (raw MIME) into a folder, `inbox` by default */
  put(raw: Buffer | string, receivedAt?: Date, folder?: string): StoredMessage;
  list(folder?: string): StoredMessage[];
  folders(): MailFolder[];
  folder(idOrWellKnownName: string): MailFolder | undefined;
  /** moves a message (either id) as a user would; a move gives it a new default id */
  move(id: string, folder: string): StoredMessage;
  /** deletes a message as Graph's DELETE does (into Deleted Items, from there for good) */
  remove(id: string): void;
  /** delta tokens issued so far answer 410 SyncStateNotFound, as an expired sync state does */
  expireDeltaTokens(): void;
}

export interface MicrosoftFake {
  /** `https://127.0.0.1:PORT` (RC_GRAPH_AUTHORITY_HOST) */
  authorityHost: string;
  /** `127.0.0.1:PORT`, for msal-node's `knownAuthorities` */
  authorityHostAndPort: string;
  tenantId: string;
  /** `https://127.0.0.1:PORT/{tenantId}/oauth2/v2.0/token` (RC_OAUTH2_TOKEN_URL) */
  tokenUrl: string;
  /** `https://127.0.0.1:PORT2/v1.0` (RC_GRAPH_BASE_URL) */
  graphBaseUrl: string;
  /** the test CA as a PEM file (RC_TLS_CA_FILE) and its text */
  caFile: string;
  caPem: string;
  /** the key and certificate (127.0.0.1, signed by the test CA) the fake serves with: for a test's own HTTPS endpoint Graph must reach */
  serverTls: { keyPem: string; certPem: string };
  /** `http://127.0.0.1:PORT3/introspect` */
  introspectionUrl: string;
  registerApp(app: { clientId: string; secret?: string; certificatePem?: string }): void;
  /** a self-signed app certificate (PEM with certificate and key) with its thumbprints */
  createAppCertificate(name?: string): Promise<AppCertificate>;
  /** a refresh token for a user, as if they had signed in (delegated scopes; offline_access implied) */
  issueRefreshToken(user: string, options?: { clientId?: string; scopes?: string[] }): string;
  /** a user access token straight away (XOAUTH2 tests); lifetime in seconds, fractional allowed */
  issueAccessToken(
    user: string,
    options?: { clientId?: string; scopes?: string[]; lifetimeSeconds?: number },
  ): string;
  /** an app-only Graph token without a round trip (not counted in tokensIssued) */
  issueAppToken(options?: { clientId?: string; lifetimeSeconds?: number }): string;
  mailbox(user: string): FakeMailbox;
  sentMail: SentMail[];
  throttle(rule: ThrottleRule): void;
  lifecycle(event: LifecycleEvent, subscriptionId?: string): void;
  dropSubscription(subscriptionId?: string): void;
  subscriptions(): Subscription[];
  notifications: NotificationDelivery[];
  deviceCodes: {
    pending(): PendingDeviceCode[];
    approve(user: string, userCode?: string): void;
    deny(userCode?: string): void;
  };
  /** revokes every token (or a user's / an app's), as a password reset or consent withdrawal does */
  revokeAll(filter?: { user?: string; clientId?: string }): void;
  revokeRefreshToken(token: string): void;
  revokeAccessToken(token: string): void;
  /** knobs that may change mid-test */
  settings: {
    accessTokenLifetimeSeconds: number;
    refreshTokenLifetimeSeconds: number;
    refreshTokenRotation: RefreshTokenRotation;
    deviceCodeIntervalSeconds: number;
    /** delay added to each admitted Graph request */
    graphLatencyMs: number;
    mailboxConcurrencyLimit: number;
  };
  stats: { tokensIssued: Record<GrantType, number>; graph: GraphStats };
  close(): Promise<void>;
}
