export { createTlsFetch, type Fetch } from './tls-fetch';
export { describeEntraError, entraFix, parseEntraError, type EntraError } from './entra-errors';
export {
  certificateCredential,
  createGraphTokenSource,
  type GraphTokenSource,
} from './graph-token';
export {
  createGraphClient,
  graphPath,
  type GraphClient,
  type GraphClientOptions,
  type GraphPage,
  type GraphRequest,
  type GraphRequestEvent,
  type GraphResponse,
} from './graph-http';
export { GraphRequestError } from './graph-errors';
export { type MailboxLimiter } from './mailbox-limiter';
export { createSecretBox, type SecretBox } from './secret-box';
export {
  createRefreshTokenStore,
  refreshTokenKey,
  type RefreshTokenStore,
  type StoredRefreshToken,
} from './refresh-token-store';
export {
  createOAuth2TokenManager,
  type OAuth2TokenManager,
  type OAuth2TokenManagerOptions,
  type OAuth2TokenStatus,
} from './oauth2-tokens';
export { OAuth2GrantError } from './oauth2-grant';
export {
  deviceCodeUrlFor,
  runDeviceCodeFlow,
  type DeviceCodeOptions,
  type DeviceCodePrompt,
} from './device-code';
export {
  openRefreshTokenStore,
  sharedGraphClient,
  sharedOAuth2Tokens,
  type RefreshTokenStoreOptions,
  type SharedGraph,
  type SharedGraphOptions,
  type SharedOAuth2Options,
} from './shared-tokens';
