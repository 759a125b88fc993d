import { sharedOAuth2Tokens, type OAuth2TokenManager } from '@rc/microsoft';
import { createLogger, createRedis, type Config, type Logger, type Redis } from '@rc/runtime';

/**
 * What several checks share, made on first use: one Redis connection and the one XOAUTH2 token
 * manager on it, so the oauth2 check's token serves the IMAP and SMTP logins without a second
 * refresh (a rotating refresh token is spent once, as in the services).
 */
export interface DoctorResources {
  readonly config: Config;
  /** a logger that prints nothing: the doctor reports through its lines */
  readonly logger: Logger;
  redis(): Redis;
  tokens(): OAuth2TokenManager;
  close(): void;
}

export function doctorResources(config: Config): DoctorResources {
  let redis: Redis | undefined;
  let tokens: OAuth2TokenManager | undefined;
  const resources: DoctorResources = {
    config,
    logger: createLogger({ service: 'rc-doctor', level: 'silent' }),
    redis() {
      if (!redis) {
        redis = createRedis(config.redisUrl, 'client', { tlsCaFile: config.tlsCaFile });
        redis.on('error', () => undefined); // the redis check reports it
      }
      return redis;
    },
    tokens() {
      if (!config.oauth2) throw new Error('no RC_OAUTH2_* settings');
      tokens ??= sharedOAuth2Tokens({
        oauth2: config.oauth2,
        encryptionKeys: config.encryptionKeys,
        redis: resources.redis(),
        prefix: config.queuePrefix,
        tlsCaFile: config.tlsCaFile,
      });
      return tokens;
    },
    close() {
      redis?.disconnect();
    },
  };
  return resources;
}
