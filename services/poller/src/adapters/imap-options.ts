import type { ImapFlowOptions } from 'imapflow';
import {
  tlsTrustOptions,
  type CoreConfig,
  type ImapConfig,
  type Logger,
  type PollerConfig,
} from '@rc/runtime';
import type { ImapLivenessOptions } from './imap-liveness';

/** The parts of the configuration the IMAP source reads. */
export type ImapSourceConfig = ImapConfig &
  Pick<PollerConfig, 'afterProcessing'> &
  Pick<CoreConfig, 'tlsCaFile' | 'mailDebug'>;

export interface ImapSourceOptions {
  liveness?: Partial<ImapLivenessOptions>;
  /** the longest wait for the TCP connection and for the server's greeting (imapflow: 90 s, 16 s) */
  connectTimeoutMs?: number;
  /** how long one IDLE lasts before it is ended and issued again (default 5 minutes) */
  maxIdleTimeMs?: number;
}

/** How an IMAP connection of ours is set up: TLS, timeouts, our own IDLE, protocol traces. */
export function imapFlowOptions(
  config: ImapSourceConfig,
  auth: ImapFlowOptions['auth'],
  options: ImapSourceOptions,
  logger: Logger,
): ImapFlowOptions {
  const { imap } = config;
  return {
    host: imap.host,
    port: imap.port,
    secure: imap.security === 'tls',
    // `none` must not upgrade even if offered; `starttls` must.
    doSTARTTLS: imap.security === 'starttls' ? true : imap.security === 'none' ? false : undefined,
    auth,
    tls: tlsTrustOptions(config.tlsCaFile),
    // We enter IDLE ourselves right after each sync: imapflow's own auto-IDLE waits ~15 s
    // after the last command, which would be the pickup latency.
    disableAutoIdle: true,
    // Some servers drop IDLE silently after ~30 min (RFC 2177 allows 29); re-issue it well before.
    maxIdleTime: options.maxIdleTimeMs ?? 5 * 60_000,
    ...(options.connectTimeoutMs
      ? {
          connectionTimeout: options.connectTimeoutMs,
          greetingTimeout: options.connectTimeoutMs,
        }
      : {}),
    logger: config.mailDebug ? (logger.child({ protocol: 'imap' }) as never) : false,
    clientInfo: { name: 'remote-completion' },
  };
}
