export { ConfigError, EXIT_CONFIG } from './config-error';
export type { CoreConfig } from './core';
export type { EncryptionConfig, EncryptionKey } from './encryption-keys';
export type { GraphConfig, GraphSettings } from './graph';
export type { HttpConfig } from './http';
export { KNOWN_VARIABLES } from './known-variables';
export { loadConfig, loadConfigOrExit, type Config, type SectionsConfig } from './load';
export type {
  ImapConfig,
  ImapSettings,
  MailAuth,
  MailConfig,
  Security,
  SmtpConfig,
  SmtpSettings,
} from './mail';
export { DEFAULT_OAUTH2_SCOPE, type OAuth2Config, type OAuth2Settings } from './oauth2';
export type { PollerConfig } from './poller';
export { parseRateLimit, type RateLimit } from './rate-limit';
export { ConfigReader, type ConfigEnv } from './reader';
export type { ServiceRole } from './roles';
export { sectionOf, type ConfigSection } from './section';
export type { TrustConfig } from './trust';
