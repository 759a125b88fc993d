import { pino, type Logger } from 'pino';

export type { Logger } from 'pino';

/**
 * Structured JSON logs (pino). Anything that looks like a secret is redacted by path, so a
 * careless `log.info({ config })` cannot leak a password, token or signing key.
 */
export const REDACTED_PATHS = [
  '*.password',
  '*.pass',
  '*.secret',
  '*.clientSecret',
  '*.refreshToken',
  '*.accessToken',
  '*.token',
  '*.apiToken',
  '*.authorization',
  '*.Authorization',
  'headers.authorization',
  'req.headers.authorization',
  'config.keyring',
  '*.keyring',
  'auth',
];

export function createLogger(options: { service: string; level: string }): Logger {
  return pino({
    level: options.level,
    base: { service: options.service },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
