import { readFileSync } from 'node:fs';
import { parseSigningKeys, type SigningKeyring } from '@rc/tokens';
import { parseDuration } from './duration';

/**
 * Configuration comes from the environment only (SPEC 3.1), is validated once at start-up,
 * and every problem is reported at once, one line each, so an operator fixes them in one go.
 * `NAME_FILE` reads a secret from a file (Docker/Kubernetes secrets).
 */
export type ServiceRole = 'sender' | 'poller' | 'verifier' | 'task-updater';

export type Security = 'tls' | 'starttls' | 'none';

export interface Config {
  roles: ServiceRole[];
  redisUrl: string;
  queuePrefix: string;
  mailboxAddress: string;
  mailFrom: string;
  mailTransport: 'smtp' | 'graph';
  smtp: { host: string; port: number; security: Security; user?: string; password?: string };
  mailboxSource: 'imap' | 'graph';
  imap: {
    host: string;
    port: number;
    security: Security;
    user: string;
    password?: string;
    folder: string;
  };
  oauth2?: { tokenUrl: string; clientId: string; clientSecret: string; refreshToken: string };
  graph?: { tenantId: string; clientId: string; clientSecret: string; user: string };
  /** CA bundle (PEM) for IMAP/SMTP/HTTP peers with a private CA; TLS verification stays on */
  tlsCaFile?: string;
  keyring: SigningKeyring;
  whitelist: { enabled: boolean; domains: string[] };
  requestTtlMs: number;
  poller: {
    fetchEnabled: boolean;
    startupDelayMs: number;
    syncIntervalMs: number;
    batchSize: number;
  };
  afterProcessing: { kind: 'delete' } | { kind: 'move'; folder: string };
  engine: 'webhook' | 'release' | 'queue';
  webhook?: { url: string; secret: string; timeoutMs: number };
  release?: { url: string; user?: string; password?: string; token?: string; timeoutMs: number };
  apiToken?: string;
  httpPort: number;
  maxMessageBytes: number;
  requireDmarc: boolean;
  trustedAuthservId?: string;
  rejectionNotices: boolean;
  confirmationNotices: boolean;
  /** RC_VERIFY_DKIM: the verifier checks DKIM signatures itself and requires one aligned with From */
  verifyDkim: boolean;
  /** RC_SENDER_RATE_LIMIT: most inbound emails processed per sender per window; null = off */
  senderRateLimit: RateLimit | null;
  /** RC_VERIFY_RATE_LIMIT: most inbound emails all verifiers together take per window; null = off */
  verifyRateLimit: RateLimit | null;
  /** RC_SEND_RATE_LIMIT: most emails all senders together send per window; null = off */
  sendRateLimit: RateLimit | null;
  /** RC_INBOUND_LOG_MAX_ENTRIES, RC_INBOUND_LOG_MAX_AGE: retention of the inbound log */
  inboundLog: { maxEntries: number; maxAgeMs: number };
  retry: { attempts: number; baseDelayMs: number };
  /** extra words that make a plain reply complete or fail, beside the built-in languages */
  replyWords: { complete: string[]; fail: string[] };
  logLevel: string;
  mailDebug: boolean;
}

/** `max` events per `durationMs`, e.g. `20/1h`. */
export interface RateLimit {
  max: number;
  durationMs: number;
}

/** `20/1h`, `200/1s`; `off` (or `0`) switches the limit off. Returns undefined when unreadable. */
export function parseRateLimit(text: string): RateLimit | null | undefined {
  const value = text.trim().toLowerCase();
  if (value === 'off' || value === '0') return null;
  const match = /^(\d+)\s*\/\s*(\S+)$/.exec(value);
  if (!match?.[1] || !match[2]) return undefined;
  const max = Number(match[1]);
  const durationMs = parseDuration(match[2]);
  if (!Number.isSafeInteger(max) || max < 1 || durationMs === null || durationMs < 1)
    return undefined;
  return { max, durationMs };
}

export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/** The exit code for bad configuration (sysexits.h EX_CONFIG). */
export const EXIT_CONFIG = 78;

const DEFAULT_PORTS: Record<ServiceRole, number> = {
  sender: 8080,
  poller: 8081,
  verifier: 8082,
  'task-updater': 8083,
};

type Env = Record<string, string | undefined>;

class Reader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  private problem(name: string, what: string, example: string): void {
    this.problems.push(`${name}: ${what}, e.g. ${name}=${example}`);
  }

  /** Raw value, from NAME or NAME_FILE; empty strings count as absent. */
  raw(name: string): string | undefined {
    const direct = this.env[name];
    const file = this.env[`${name}_FILE`];
    if (direct !== undefined && direct !== '' && file) {
      this.problems.push(
        `${name}: set either ${name} or ${name}_FILE, not both, e.g. ${name}_FILE=${file} alone`,
      );
      return undefined;
    }
    if (file) {
      try {
        return readFileSync(file, 'utf8').trim();
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
        this.problems.push(
          `${name}_FILE: cannot read ${file} (${code}), e.g. ${name}_FILE=/run/secrets/${name.slice(3).toLowerCase()}`,
        );
        return undefined;
      }
    }
    return direct === '' ? undefined : direct;
  }

  string(name: string, fallback?: string): string | undefined {
    return this.raw(name)?.trim() ?? fallback;
  }

  required(name: string, example: string, why: string): string {
    const value = this.string(name);
    if (value === undefined) this.problem(name, `is required ${why}`, example);
    return value ?? '';
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    this.problem(name, `must be true or false, not "${value}"`, 'true');
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number, example: string): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problem(name, `must be a whole number from ${min} to ${max}, not "${value}"`, example);
      return fallback;
    }
    return parsed;
  }

  duration(name: string, fallback: string, example: string): number {
    const value = this.string(name) ?? fallback;
    const parsed = parseDuration(value);
    if (parsed === null) {
      this.problem(name, `must be a duration like 30s, 5m, 7d, not "${value}"`, example);
      return parseDuration(fallback) ?? 0;
    }
    return parsed;
  }

  rateLimit(name: string, fallback: string, example: string): RateLimit | null {
    const value = this.string(name) ?? fallback;
    const parsed = parseRateLimit(value);
    if (parsed === undefined) {
      this.problem(name, `must be <count>/<duration> like 20/1h, or off, not "${value}"`, example);
      return parseRateLimit(fallback) ?? null;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase() as T;
    if (!allowed.includes(lower)) {
      this.problem(name, `must be one of ${allowed.join(', ')}, not "${value}"`, fallback);
      return fallback;
    }
    return lower;
  }

  url(
    name: string,
    protocols: string[],
    example: string,
    required: boolean,
    why = '',
  ): string | undefined {
    const value = required ? this.required(name, example, why) || undefined : this.string(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      this.problem(
        name,
        `must be a ${protocols.join(' or ')} URL, not "${redactUrl(value)}"`,
        example,
      );
      return undefined;
    }
  }

  email(name: string, value: string | undefined, example: string): void {
    if (value !== undefined && value !== '' && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value)) {
      this.problem(name, `must be an e-mail address, not "${value}"`, example);
    }
  }
}

/**
 * Everything before the last `@` counts as credentials. A value that fails to parse is echoed,
 * and its password may hold `/` or `@` (base64, generated secrets) that a stricter pattern
 * would stop at, leaking the rest.
 */
/** `ok, passt, go ahead` → ['ok', 'passt', 'go ahead'] */
function wordList(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean);
}

function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/*)?.*@/i, '$1***@');
}

export function loadConfig(env: Env, roles: ServiceRole[]): Config {
  const read = new Reader(env);
  const has = (role: ServiceRole) => roles.includes(role);

  const redisUrl =
    read.url('RC_REDIS_URL', ['redis:', 'rediss:'], 'redis://127.0.0.1:6379', false) ??
    'redis://127.0.0.1:6379';
  const queuePrefix = read.string('RC_QUEUE_PREFIX', 'rc') ?? 'rc';
  if (!/^[A-Za-z0-9_{}.-]{1,64}$/.test(queuePrefix)) {
    read.problems.push(
      `RC_QUEUE_PREFIX: may contain only letters, digits, _ . - { }, e.g. RC_QUEUE_PREFIX=rc`,
    );
  }

  const mailboxAddress = read
    .required('RC_MAILBOX_ADDRESS', 'approvals@corp.example', 'as the address users answer to')
    .toLowerCase();
  read.email('RC_MAILBOX_ADDRESS', mailboxAddress, 'approvals@corp.example');
  const mailFrom = read.string('RC_MAIL_FROM') ?? mailboxAddress;
  const mailTransport = read.oneOf('RC_MAIL_TRANSPORT', ['smtp', 'graph'] as const, 'smtp');
  const mailboxSource = read.oneOf('RC_MAILBOX_SOURCE', ['imap', 'graph'] as const, 'imap');
  const oauth2Token = read.string('RC_OAUTH2_REFRESH_TOKEN');

  const needSmtp = has('sender') && mailTransport === 'smtp';
  const smtpSecurity = read.oneOf(
    'RC_SMTP_SECURITY',
    ['tls', 'starttls', 'none'] as const,
    'starttls',
  );
  const smtp = {
    host: needSmtp
      ? read.required('RC_SMTP_HOST', 'smtp.corp.example', 'to send mail over SMTP')
      : (read.string('RC_SMTP_HOST') ?? ''),
    port: read.integer('RC_SMTP_PORT', smtpSecurity === 'tls' ? 465 : 587, 1, 65535, '587'),
    security: smtpSecurity,
    user: read.string('RC_SMTP_USER'),
    password: read.string('RC_SMTP_PASSWORD'),
  };

  const needImap = has('poller') && mailboxSource === 'imap';
  const imapSecurity = read.oneOf('RC_IMAP_SECURITY', ['tls', 'starttls', 'none'] as const, 'tls');
  const imap = {
    host: needImap
      ? read.required('RC_IMAP_HOST', 'imap.corp.example', 'to read the mailbox over IMAP')
      : (read.string('RC_IMAP_HOST') ?? ''),
    port: read.integer('RC_IMAP_PORT', imapSecurity === 'tls' ? 993 : 143, 1, 65535, '993'),
    security: imapSecurity,
    user: needImap
      ? read.required(
          'RC_IMAP_USER',
          mailboxAddress || 'approvals@corp.example',
          'to log in to the mailbox',
        )
      : (read.string('RC_IMAP_USER') ?? ''),
    password: read.string('RC_IMAP_PASSWORD'),
    folder: read.string('RC_IMAP_FOLDER', 'INBOX') ?? 'INBOX',
  };
  if (needImap && imap.password === undefined && oauth2Token === undefined) {
    read.problems.push(
      'RC_IMAP_PASSWORD: is required to log in to the mailbox (or configure RC_OAUTH2_*), e.g. RC_IMAP_PASSWORD_FILE=/run/secrets/imap',
    );
  }

  let oauth2: Config['oauth2'];
  if (oauth2Token !== undefined) {
    oauth2 = {
      tokenUrl:
        read.url(
          'RC_OAUTH2_TOKEN_URL',
          ['https:', 'http:'],
          'https://login.microsoftonline.com/TENANT/oauth2/v2.0/token',
          true,
          'with RC_OAUTH2_REFRESH_TOKEN',
        ) ?? '',
      clientId: read.required(
        'RC_OAUTH2_CLIENT_ID',
        '00000000-0000-0000-0000-000000000000',
        'with RC_OAUTH2_REFRESH_TOKEN',
      ),
      clientSecret: read.string('RC_OAUTH2_CLIENT_SECRET') ?? '',
      refreshToken: oauth2Token,
    };
  }

  let graph: Config['graph'];
  const needGraph =
    (has('poller') && mailboxSource === 'graph') || (has('sender') && mailTransport === 'graph');
  if (needGraph || read.string('RC_GRAPH_TENANT_ID') !== undefined) {
    const why = 'for the Microsoft Graph mailbox';
    graph = {
      tenantId: read.required('RC_GRAPH_TENANT_ID', 'contoso.onmicrosoft.com', why),
      clientId: read.required('RC_GRAPH_CLIENT_ID', '00000000-0000-0000-0000-000000000000', why),
      clientSecret: read.required('RC_GRAPH_CLIENT_SECRET', '***', why),
      user: read.string('RC_GRAPH_USER') ?? mailboxAddress,
    };
  }

  const keysText = read.string('RC_SIGNING_KEYS');
  let keyring: SigningKeyring | undefined;
  if (keysText === undefined) {
    read.problems.push(
      `RC_SIGNING_KEYS: is required to sign and verify answers, e.g. RC_SIGNING_KEYS=k1:$(openssl rand -hex 32)`,
    );
  } else {
    const parsed = parseSigningKeys(keysText);
    for (const problem of parsed.problems)
      read.problems.push(
        `RC_SIGNING_KEYS: ${problem}, e.g. RC_SIGNING_KEYS=k2:<new secret>,k1:<old secret>`,
      );
    keyring = parsed.keyring;
  }

  const whitelistDomains = (read.string('RC_WHITELIST_DOMAINS') ?? '')
    .split(/[,\s]+/)
    .map((domain) => domain.trim().toLowerCase())
    .filter(Boolean);
  const whitelist = {
    enabled: read.boolean('RC_WHITELIST_ENABLED', false),
    domains: whitelistDomains,
  };
  if (whitelist.enabled && whitelistDomains.length === 0) {
    read.problems.push(
      'RC_WHITELIST_DOMAINS: is empty while RC_WHITELIST_ENABLED=true (nothing would be processed), e.g. RC_WHITELIST_DOMAINS=corp.example,*.corp.example',
    );
  }

  const afterText = read.string('RC_AFTER_PROCESSING', 'delete') ?? 'delete';
  let afterProcessing: Config['afterProcessing'] = { kind: 'delete' };
  if (afterText.startsWith('move:') && afterText.length > 5)
    afterProcessing = { kind: 'move', folder: afterText.slice(5) };
  else if (afterText !== 'delete')
    read.problems.push(
      `RC_AFTER_PROCESSING: must be delete or move:<folder>, not "${afterText}", e.g. RC_AFTER_PROCESSING=move:Processed`,
    );

  const engine = read.oneOf('RC_ENGINE', ['webhook', 'release', 'queue'] as const, 'webhook');
  const needEngine = has('task-updater');
  let webhook: Config['webhook'];
  if (engine === 'webhook' && (needEngine || read.string('RC_WEBHOOK_URL') !== undefined)) {
    const why = 'with RC_ENGINE=webhook';
    webhook = {
      url:
        read.url(
          'RC_WEBHOOK_URL',
          ['http:', 'https:'],
          'https://release.corp.example/hooks/email',
          needEngine,
          why,
        ) ?? '',
      secret: needEngine
        ? read.required('RC_WEBHOOK_SECRET', '$(openssl rand -hex 32)', `${why} to sign each call`)
        : (read.string('RC_WEBHOOK_SECRET') ?? ''),
      timeoutMs: read.duration('RC_WEBHOOK_TIMEOUT', '10s', '10s'),
    };
  }
  let release: Config['release'];
  if (engine === 'release' && needEngine) {
    release = {
      url:
        read.url(
          'RC_RELEASE_URL',
          ['http:', 'https:'],
          'https://release.corp.example',
          true,
          'with RC_ENGINE=release',
        ) ?? '',
      user: read.string('RC_RELEASE_USER'),
      password: read.string('RC_RELEASE_PASSWORD'),
      token: read.string('RC_RELEASE_TOKEN'),
      timeoutMs: read.duration('RC_RELEASE_TIMEOUT', '10s', '10s'),
    };
    if (!release.token && !(release.user && release.password)) {
      read.problems.push(
        'RC_RELEASE_TOKEN: is required with RC_ENGINE=release unless RC_RELEASE_USER and RC_RELEASE_PASSWORD are set, e.g. RC_RELEASE_TOKEN_FILE=/run/secrets/release',
      );
    }
  }

  const apiToken = read.string('RC_API_TOKEN');
  if (apiToken !== undefined && apiToken.length < 16) {
    read.problems.push(
      'RC_API_TOKEN: must be at least 16 characters, e.g. RC_API_TOKEN=$(openssl rand -hex 24)',
    );
  }

  const defaultPort = roles.length === 1 && roles[0] ? DEFAULT_PORTS[roles[0]] : 8080;
  const requireDmarc = read.boolean('RC_REQUIRE_DMARC', false);
  const trustedAuthservId = read.string('RC_TRUSTED_AUTHSERV_ID');
  if (requireDmarc && !trustedAuthservId) {
    read.problems.push(
      "RC_TRUSTED_AUTHSERV_ID: is required with RC_REQUIRE_DMARC=true (only your own MTA's results can be trusted), e.g. RC_TRUSTED_AUTHSERV_ID=mx.corp.example",
    );
  }
  const tlsCaFile = read.string('RC_TLS_CA_FILE');
  if (tlsCaFile !== undefined) {
    let pem = '';
    try {
      pem = readFileSync(tlsCaFile, 'utf8');
    } catch (error) {
      read.problems.push(
        `RC_TLS_CA_FILE: cannot read ${tlsCaFile} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'}), e.g. RC_TLS_CA_FILE=/etc/ssl/private-ca.pem`,
      );
    }
    if (pem && !pem.includes('-----BEGIN CERTIFICATE-----')) {
      read.problems.push(
        `RC_TLS_CA_FILE: ${tlsCaFile} holds no PEM certificate, e.g. RC_TLS_CA_FILE=/etc/ssl/private-ca.pem`,
      );
    }
  }

  const config: Config = {
    roles,
    redisUrl,
    queuePrefix,
    mailboxAddress,
    mailFrom,
    mailTransport,
    smtp,
    mailboxSource,
    imap,
    oauth2,
    graph,
    tlsCaFile,
    keyring: keyring as SigningKeyring,
    whitelist,
    requestTtlMs: read.duration('RC_REQUEST_TTL', '7d', '7d'),
    poller: {
      fetchEnabled: read.boolean('RC_FETCH_ENABLED', true),
      startupDelayMs: read.duration('RC_STARTUP_DELAY', '30s', '30s'),
      syncIntervalMs: read.duration('RC_SYNC_INTERVAL', '30s', '30s'),
      batchSize: read.integer('RC_BATCH_SIZE', 50, 1, 10_000, '50'),
    },
    afterProcessing,
    engine,
    webhook,
    release,
    apiToken,
    httpPort: read.integer('RC_HTTP_PORT', defaultPort, 0, 65535, String(defaultPort)),
    maxMessageBytes: read.integer(
      'RC_MAX_MESSAGE_BYTES',
      2_097_152,
      1024,
      1_073_741_824,
      '2097152',
    ),
    requireDmarc,
    trustedAuthservId,
    rejectionNotices: read.boolean('RC_REJECTION_NOTICES', false),
    confirmationNotices: read.boolean('RC_CONFIRMATION_NOTICES', false),
    verifyDkim: read.boolean('RC_VERIFY_DKIM', false),
    senderRateLimit: read.rateLimit('RC_SENDER_RATE_LIMIT', '60/1h', '20/1h'),
    verifyRateLimit: read.rateLimit('RC_VERIFY_RATE_LIMIT', '200/1s', '200/1s'),
    sendRateLimit: read.rateLimit('RC_SEND_RATE_LIMIT', '20/1s', '30/1m'),
    inboundLog: {
      maxEntries: read.integer('RC_INBOUND_LOG_MAX_ENTRIES', 100_000, 100, 100_000_000, '100000'),
      maxAgeMs: read.duration('RC_INBOUND_LOG_MAX_AGE', '30d', '30d'),
    },
    retry: {
      attempts: read.integer('RC_RETRY_ATTEMPTS', 12, 1, 100, '12'),
      baseDelayMs: read.duration('RC_RETRY_BASE_DELAY', '1s', '1s'),
    },
    replyWords: {
      complete: wordList(read.string('RC_COMPLETE_WORDS')),
      fail: wordList(read.string('RC_FAIL_WORDS')),
    },
    logLevel: read.oneOf(
      'RC_LOG_LEVEL',
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const,
      'info',
    ),
    mailDebug: read.boolean('RC_MAIL_DEBUG', false),
  };
  if (config.poller.syncIntervalMs < 1000) {
    read.problems.push('RC_SYNC_INTERVAL: must be at least 1s, e.g. RC_SYNC_INTERVAL=30s');
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return config;
}

/** Loads configuration or prints every problem, one line each, and exits with code 78. */
export function loadConfigOrExit(roles: ServiceRole[], env: Env = process.env): Config {
  try {
    return loadConfig(env, roles);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(EXIT_CONFIG);
  }
}
