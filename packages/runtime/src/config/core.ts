import { hasHashTag, parseRedisUrl } from '../redis-url';
import { redactUrl, type ConfigReader } from './reader';
import type { ServiceRole } from './roles';

/** What every service needs: Redis, the queues, retries, logging and outgoing TLS trust. */
export interface CoreConfig {
  roles: ServiceRole[];
  redisUrl: string;
  queuePrefix: string;
  retry: { attempts: number; baseDelayMs: number };
  logLevel: string;
  /** RC_MAIL_DEBUG: protocol traces of IMAP/SMTP/Graph, secrets masked */
  mailDebug: boolean;
  /**
   * RC_TLS_CA_FILE: a private CA (PEM) trusted besides the public roots by every outgoing TLS
   * connection (IMAP, SMTP, Graph, token endpoints, engines); verification always stays on
   */
  tlsCaFile?: string;
  /** RC_SHUTDOWN_TIMEOUT: how long SIGTERM waits for jobs in flight before exiting anyway */
  shutdownTimeoutMs: number;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function readCoreConfig(read: ConfigReader, roles: ServiceRole[]): CoreConfig {
  const redisUrl = read.string('RC_REDIS_URL') ?? 'redis://127.0.0.1:6379';
  const topology = parseRedisUrl(redisUrl);
  if ('problem' in topology) {
    const forms =
      'redis: or rediss: URL (one server, or a cluster as h1:7000,h2:7001), or redis+sentinel://';
    read.problem(
      'RC_REDIS_URL',
      `must be a ${forms}, not "${redactUrl(redisUrl)}"${topology.problem ? `: ${topology.problem}` : ''}`,
      'redis://127.0.0.1:6379',
    );
  }
  const queuePrefix = read.string('RC_QUEUE_PREFIX', 'rc') ?? 'rc';
  if (!/^[A-Za-z0-9_{}.-]{1,64}$/.test(queuePrefix)) {
    read.problem('RC_QUEUE_PREFIX', 'may contain only letters, digits, _ . - { }', 'rc');
  } else if (!('problem' in topology) && topology.kind === 'cluster' && !hasHashTag(queuePrefix)) {
    read.problem(
      'RC_QUEUE_PREFIX',
      'needs a {hash-tag} on a Redis Cluster (BullMQ and the store run Lua scripts and MULTIs over several keys, which must share one slot)',
      `{${queuePrefix.replace(/[{}]/g, '') || 'rc'}}`,
    );
  }
  return {
    roles,
    redisUrl,
    queuePrefix,
    retry: {
      attempts: read.integer('RC_RETRY_ATTEMPTS', 12, 1, 100, '12'),
      baseDelayMs: read.duration('RC_RETRY_BASE_DELAY', '1s', '1s'),
    },
    logLevel: read.oneOf('RC_LOG_LEVEL', LOG_LEVELS, 'info'),
    mailDebug: read.boolean('RC_MAIL_DEBUG', false),
    tlsCaFile: readTlsCaFile(read),
    shutdownTimeoutMs: read.duration('RC_SHUTDOWN_TIMEOUT', '25s', '25s'),
  };
}

function readTlsCaFile(read: ConfigReader): string | undefined {
  const tlsCaFile = read.string('RC_TLS_CA_FILE');
  if (tlsCaFile === undefined) return undefined;
  const example = '/etc/ssl/private-ca.pem';
  const pem = read.file('RC_TLS_CA_FILE', tlsCaFile, example);
  if (pem && !pem.includes('-----BEGIN CERTIFICATE-----')) {
    read.problem('RC_TLS_CA_FILE', `${tlsCaFile} holds no PEM certificate`, example);
  }
  return tlsCaFile;
}
