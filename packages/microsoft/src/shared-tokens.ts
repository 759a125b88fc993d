import { createHash } from 'node:crypto';
import { CodedError } from '@rc/contracts';
import type { Redis } from 'ioredis';
import { createGraphClient, type GraphClient, type GraphRequestEvent } from './graph-http';
import { createGraphTokenSource, type GraphTokenSource } from './graph-token';
import { createOAuth2TokenManager, type OAuth2TokenManager } from './oauth2-tokens';
import { createRefreshTokenStore, type RefreshTokenStore } from './refresh-token-store';
import { createSecretBox } from './secret-box';
import type { EncryptionKey, GraphSettings, OAuth2Settings } from '@rc/runtime';

interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** Where the refresh token of one OAuth2 client lives: the services and `rc oauth2 login` alike. */
export interface RefreshTokenStoreOptions {
  redis: Redis;
  /** RC_QUEUE_PREFIX */
  prefix: string;
  clientId: string;
  /** RC_ENCRYPTION_KEY; the configuration requires it wherever OAuth2 is used */
  encryptionKeys: EncryptionKey[] | undefined;
}

export function openRefreshTokenStore(options: RefreshTokenStoreOptions): RefreshTokenStore {
  if (!options.encryptionKeys?.length) {
    throw new CodedError(
      'RC_ENCRYPTION_KEY is required to keep the OAuth2 refresh token in Redis',
      'CONFIG_INVALID',
    );
  }
  return createRefreshTokenStore({
    redis: options.redis,
    prefix: options.prefix,
    clientId: options.clientId,
    box: createSecretBox(options.encryptionKeys),
  });
}

export interface SharedOAuth2Options extends Omit<RefreshTokenStoreOptions, 'clientId'> {
  oauth2: OAuth2Settings;
  tlsCaFile?: string;
  logger?: Logger;
}

const oauth2ByRedis = new WeakMap<Redis, Map<string, OAuth2TokenManager>>();

/**
 * One XOAUTH2 token manager per process for the same client: in `pnpm start` the poller's IMAP
 * connections and the sender's SMTP pool share its access token, its refresh lock and its
 * status, so a rotated refresh token is spent once, not once per connection. Keyed by Redis
 * connection too: a process running two hosts (tests) against two Redis servers keeps them apart.
 */
export function sharedOAuth2Tokens(options: SharedOAuth2Options): OAuth2TokenManager {
  const { oauth2, redis, prefix } = options;
  const key = JSON.stringify([oauth2.tokenUrl, oauth2.clientId, prefix]);
  let managers = oauth2ByRedis.get(redis);
  if (!managers) {
    managers = new Map();
    oauth2ByRedis.set(redis, managers);
  }
  let manager = managers.get(key);
  if (!manager) {
    manager = createOAuth2TokenManager({
      oauth2,
      store: openRefreshTokenStore({ ...options, clientId: oauth2.clientId }),
      redis,
      tlsCaFile: options.tlsCaFile,
      logger: options.logger,
    });
    managers.set(key, manager);
  }
  return manager;
}

export interface SharedGraphOptions {
  graph: GraphSettings;
  tlsCaFile?: string;
  /** RC_MAIL_DEBUG; the first caller's trace and hook serve every sharer */
  trace?: { info(fields: object, message: string): void };
  onRequest?: (event: GraphRequestEvent) => void;
}

/** The app token and the Graph client of one app and mailbox. */
export interface SharedGraph {
  tokens: GraphTokenSource;
  client: GraphClient;
}

const graphs = new Map<string, SharedGraph>();

/**
 * One Graph app token source and ONE client per app and mailbox per process: the poller and the
 * sender draw on Outlook's budget of 4 concurrent requests for the same mailbox, and a
 * Retry-After one of them receives holds the other back too. The credential is part of the key
 * (as a hash, never in clear) so that a changed secret is not served the old app.
 */
export function sharedGraphClient(options: SharedGraphOptions): SharedGraph {
  const { graph } = options;
  const credential = createHash('sha256')
    .update(graph.certificatePem ?? graph.clientSecret ?? '')
    .digest('hex');
  const key = JSON.stringify([
    graph.authorityHost,
    graph.tenantId,
    graph.clientId,
    credential,
    graph.baseUrl,
    graph.user.toLowerCase(),
    options.tlsCaFile ?? '',
  ]);
  let shared = graphs.get(key);
  if (!shared) {
    const tokens = createGraphTokenSource(graph, { tlsCaFile: options.tlsCaFile });
    const client = createGraphClient({
      baseUrl: graph.baseUrl,
      mailbox: graph.user,
      tokens,
      tlsCaFile: options.tlsCaFile,
      trace: options.trace,
      onRequest: options.onRequest,
    });
    shared = { tokens, client };
    graphs.set(key, shared);
  }
  return shared;
}
