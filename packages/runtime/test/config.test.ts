import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  EXIT_CONFIG,
  loadConfig,
  type ConfigSection,
  type ServiceRole,
} from '../src/index';

/** SPEC 3.1: configuration from the environment, validated once, every problem at once. */

const SIGNING_SECRET = 'a1'.repeat(20);
const ROLES: ServiceRole[] = ['sender', 'poller', 'verifier', 'task-updater'];

/** The least each role needs; everything else takes its default. */
const ROLE_ENV: Record<ServiceRole, Record<string, string>> = {
  sender: { RC_SMTP_HOST: 'smtp.corp.example' },
  poller: {
    RC_IMAP_HOST: 'imap.corp.example',
    RC_IMAP_USER: 'approvals@corp.example',
    RC_IMAP_PASSWORD: 'imap-password',
  },
  verifier: {},
  'task-updater': {
    RC_WEBHOOK_URL: 'https://release.corp.example/hooks/email',
    RC_WEBHOOK_SECRET: 'webhook-secret',
  },
};

function minimalEnv(
  roles: ServiceRole[],
  extra: Record<string, string | undefined> = {},
): Record<string, string | undefined> {
  return {
    RC_MAILBOX_ADDRESS: 'approvals@corp.example',
    RC_SIGNING_KEYS: `k1:${SIGNING_SECRET}`,
    ...Object.assign({}, ...roles.map((role) => ROLE_ENV[role])),
    ...extra,
  };
}

/** The problems loadConfig reports, or [] when it accepts the environment. */
function problemsOf(
  env: Record<string, string | undefined>,
  roles: ServiceRole[] = ROLES,
  sections: ConfigSection<unknown>[] = [],
): string[] {
  try {
    loadConfig(env, roles, sections);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    expect(error.message).toBe(error.problems.join('\n'));
    expect(error.code).toBe('CONFIG_INVALID');
    return error.problems;
  }
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rc-config-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('defaults (SPEC 3.1)', () => {
  it('fills in every default for all four roles', () => {
    const config = loadConfig(minimalEnv(ROLES), ROLES);
    expect(config).toMatchObject({
      redisUrl: 'redis://127.0.0.1:6379',
      queuePrefix: 'rc',
      mailboxAddress: 'approvals@corp.example',
      mailFrom: 'approvals@corp.example',
      mailTransport: 'smtp',
      mailboxSource: 'imap',
      whitelist: { enabled: false, domains: [] },
      requestTtlMs: 604_800_000,
      poller: { fetchEnabled: true, startupDelayMs: 30_000, syncIntervalMs: 30_000, batchSize: 50 },
      afterProcessing: { kind: 'delete' },
      maxMessageBytes: 2_097_152,
      requireDmarc: false,
      rejectionNotices: false,
      confirmationNotices: false,
      logLevel: 'info',
      mailDebug: false,
      httpPort: 8080,
    });
    expect(config.imap).toMatchObject({ folder: 'INBOX', security: 'tls', port: 993 });
    expect(config.smtp).toMatchObject({ security: 'starttls', port: 587 });
    // The engine's defaults (RC_ENGINE, RC_WEBHOOK_*) are the task-updater's own section:
    // services/task-updater/test/engine-config.test.ts.
    expect(config.sections).toEqual({});
    expect(config.keyring.signing.kid).toBe('k1');
    expect(config.keyring.signing.secret.toString('utf8')).toBe(SIGNING_SECRET);
  });

  it.each<[ServiceRole, number]>([
    ['sender', 8080],
    ['poller', 8081],
    ['verifier', 8082],
    ['task-updater', 8083],
  ])('%s listens on %i by default', (role, port) => {
    expect(loadConfig(minimalEnv([role]), [role]).httpPort).toBe(port);
    expect(loadConfig(minimalEnv([role], { RC_HTTP_PORT: '9100' }), [role]).httpPort).toBe(9100);
  });

  it('a role does not need what only other roles use', () => {
    expect(problemsOf(minimalEnv(['verifier']), ['verifier'])).toEqual([]);
    expect(problemsOf(minimalEnv(['verifier']), ['sender'])).toEqual([
      expect.stringMatching(/^RC_SMTP_HOST: is required/),
    ]);
    // What the task-updater needs is read by its engine section (engine-config.test.ts there).
    expect(problemsOf(minimalEnv(['verifier']), ['task-updater'])).toEqual([]);
    expect(problemsOf(minimalEnv(['verifier']), ['poller'])).toEqual([
      expect.stringMatching(/^RC_IMAP_HOST: is required/),
      expect.stringMatching(/^RC_IMAP_USER: is required/),
      expect.stringMatching(/^RC_IMAP_PASSWORD: is required/),
    ]);
  });
});

describe('values', () => {
  it('reads durations, switches, lists and the after-processing rule', () => {
    const config = loadConfig(
      minimalEnv(ROLES, {
        RC_REQUEST_TTL: '36h',
        RC_STARTUP_DELAY: '0s',
        RC_SYNC_INTERVAL: '5m',
        RC_BATCH_SIZE: '200',
        RC_FETCH_ENABLED: 'off',
        RC_WHITELIST_ENABLED: 'yes',
        RC_WHITELIST_DOMAINS: 'Corp.Example, *.corp.example',
        RC_AFTER_PROCESSING: 'move:Processed',
        RC_IMAP_SECURITY: 'starttls',
      }),
      ROLES,
    );
    expect(config.requestTtlMs).toBe(36 * 3_600_000);
    expect(config.poller).toEqual({
      fetchEnabled: false,
      startupDelayMs: 0,
      syncIntervalMs: 300_000,
      batchSize: 200,
    });
    expect(config.whitelist).toEqual({
      enabled: true,
      domains: ['corp.example', '*.corp.example'],
    });
    expect(config.afterProcessing).toEqual({ kind: 'move', folder: 'Processed' });
    expect(config.imap.port).toBe(143);
  });
});

/** A section as a service owns one (the task-updater's engine): its problems join everyone's. */
const ENGINE_LIKE_SECTION: ConfigSection<string> = {
  name: 'engine',
  read: (reader) => reader.oneOf('RC_ENGINE', ['webhook', 'release', 'queue'] as const, 'webhook'),
};

describe('problems', () => {
  it('reports every problem at once, one line each, naming the variable and giving an example', () => {
    const problems = problemsOf(
      {
        RC_MAILBOX_ADDRESS: 'not-an-address',
        RC_SMTP_PORT: 'abc',
        RC_SMTP_SECURITY: 'ssl3',
        RC_IMAP_PORT: '70000',
        RC_QUEUE_PREFIX: 'has space',
        RC_REQUEST_TTL: 'a week',
        RC_BATCH_SIZE: '0',
        RC_FETCH_ENABLED: 'maybe',
        RC_AFTER_PROCESSING: 'archive',
        RC_ENGINE: 'jenkins',
        RC_WHITELIST_ENABLED: 'true',
        RC_MAX_MESSAGE_BYTES: '10',
        RC_API_TOKEN: 'short',
        RC_SYNC_INTERVAL: '100ms',
        RC_REQUIRE_DMARC: 'true',
        RC_LOG_LEVEL: 'loud',
      },
      ['verifier'],
      [ENGINE_LIKE_SECTION],
    );
    const names = problems.map((line) => /^(RC_[A-Z0-9_]+):/.exec(line)?.[1]);
    expect(new Set(names)).toEqual(
      new Set([
        'RC_MAILBOX_ADDRESS',
        'RC_SMTP_PORT',
        'RC_SMTP_SECURITY',
        'RC_IMAP_PORT',
        'RC_QUEUE_PREFIX',
        'RC_REQUEST_TTL',
        'RC_BATCH_SIZE',
        'RC_FETCH_ENABLED',
        'RC_AFTER_PROCESSING',
        'RC_ENGINE',
        'RC_WHITELIST_DOMAINS',
        'RC_MAX_MESSAGE_BYTES',
        'RC_API_TOKEN',
        'RC_SYNC_INTERVAL',
        'RC_TRUSTED_AUTHSERV_ID',
        'RC_LOG_LEVEL',
        'RC_SIGNING_KEYS',
      ]),
    );
    expect(problems).toHaveLength(17);
    for (const line of problems) {
      expect(line).not.toContain('\n');
      expect(line).toMatch(/^RC_[A-Z0-9_]+: .+, e\.g\. RC_[A-Z0-9_]+=\S/);
    }
    expect(problems.find((line) => line.startsWith('RC_SMTP_PORT'))).toContain('"abc"');
  });

  it('NAME_FILE reads a secret from a file (trailing newline dropped)', async () => {
    const keysFile = path.join(dir, 'signing-keys');
    const passwordFile = path.join(dir, 'imap-password');
    await writeFile(keysFile, `k2:${'b2'.repeat(20)},k1:${SIGNING_SECRET}\n`);
    await writeFile(passwordFile, 'from-a-file\n');
    const env = minimalEnv(['poller'], {
      RC_SIGNING_KEYS: undefined,
      RC_SIGNING_KEYS_FILE: keysFile,
      RC_IMAP_PASSWORD: '',
      RC_IMAP_PASSWORD_FILE: passwordFile,
    });
    const config = loadConfig(env, ['poller']);
    expect(config.imap.password).toBe('from-a-file');
    expect(config.keyring.signing.kid).toBe('k2');
    expect([...config.keyring.byKid.keys()]).toEqual(['k2', 'k1']);
  });

  it('NAME and NAME_FILE together, or an unreadable NAME_FILE, are problems', async () => {
    const passwordFile = path.join(dir, 'both');
    await writeFile(passwordFile, 'from-a-file');
    const problems = problemsOf(
      minimalEnv(['poller'], {
        RC_IMAP_PASSWORD_FILE: passwordFile,
        RC_SIGNING_KEYS_FILE: path.join(dir, 'missing'),
      }),
      ['poller'],
    );
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^RC_IMAP_PASSWORD: set either RC_IMAP_PASSWORD or RC_IMAP_PASSWORD_FILE, not both/,
        ),
        expect.stringMatching(
          /^RC_SIGNING_KEYS: set either RC_SIGNING_KEYS or RC_SIGNING_KEYS_FILE, not both/,
        ),
      ]),
    );
    const missing = problemsOf(
      minimalEnv(['verifier'], {
        RC_SIGNING_KEYS: undefined,
        RC_SIGNING_KEYS_FILE: path.join(dir, 'missing'),
      }),
      ['verifier'],
    );
    expect(missing).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^RC_SIGNING_KEYS_FILE: cannot read .*missing \(ENOENT\), e\.g\. /),
      ]),
    );
  });

  it.each([
    [
      'a signing secret that is too short',
      { RC_SIGNING_KEYS: 'k1:Tr0ub4dor&3-SECRET' },
      'Tr0ub4dor&3-SECRET',
    ],
    [
      'a signing key without a kid',
      { RC_SIGNING_KEYS: 'Tr0ub4dor3SECRETTr0ub4dor3SECRETxx' },
      'Tr0ub4dor3SECRET',
    ],
    [
      'a second key that is malformed',
      { RC_SIGNING_KEYS: `k1:${SIGNING_SECRET},k2:Tr0ub4dor&3-SECRET` },
      'Tr0ub4dor&3-SECRET',
    ],
    [
      'a Redis URL with the wrong scheme',
      { RC_REDIS_URL: 'http://default:Tr0ub4dor3SECRET@redis.corp.example:6379' },
      'Tr0ub4dor3SECRET',
    ],
    [
      'a Redis URL whose password holds a slash',
      { RC_REDIS_URL: 'redis://:Tr0ub/4dor3SECRET@redis.corp.example:6379' },
      '4dor3SECRET',
    ],
    [
      'a Redis URL whose password holds an @',
      { RC_REDIS_URL: 'redis://:Tr0ub@4dor3SECRET@redis.corp.example:bad' },
      '4dor3SECRET',
    ],
  ])('never echoes a secret: %s', (_case, extra, secret) => {
    const problems = problemsOf(minimalEnv(['task-updater'], extra), ['task-updater']);
    expect(problems.length).toBeGreaterThan(0);
    for (const line of problems) expect(line).not.toContain(secret);
  });

  it('never echoes a secret read from a file', async () => {
    const file = path.join(dir, 'redis-url');
    await writeFile(file, 'redis://:Tr0ub/4dor3SECRET@redis.corp.example:port\n');
    const problems = problemsOf(minimalEnv(['verifier'], { RC_REDIS_URL_FILE: file }), [
      'verifier',
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^RC_REDIS_URL: must be a redis: or rediss: URL/),
    ]);
    expect(problems[0]).not.toContain('4dor3SECRET');
  });
});

describe('a service started with bad configuration', () => {
  it(`prints one "config error:" line per problem and exits with ${EXIT_CONFIG}`, async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      RC_MAILBOX_ADDRESS: 'approvals@corp.example',
      RC_SMTP_PORT: 'abc',
      RC_REDIS_URL: 'http://default:Tr0ub4dor3SECRET@redis.corp.example:6379',
      RC_HTTP_PORT: '0',
    };
    const expected = problemsOf(env, ['verifier']);
    expect(expected.length).toBe(3);

    const child = spawn(process.execPath, ['--import', 'tsx', 'services/verifier/src/main.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );

    expect(code).toBe(EXIT_CONFIG);
    const lines = stderr.split('\n').filter(Boolean);
    expect(lines).toEqual(expected.map((problem) => `config error: ${problem}`));
    expect(
      lines.some((line) => line.startsWith('config error: RC_SIGNING_KEYS: is required')),
    ).toBe(true);
    expect(
      lines.some((line) => line.startsWith('config error: RC_SMTP_PORT: must be a whole number')),
    ).toBe(true);
    expect(stderr + stdout).not.toContain('Tr0ub4dor3SECRET');
  }, 30_000);
});
