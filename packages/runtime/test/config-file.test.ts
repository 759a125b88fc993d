import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_VARIABLES } from '../src/config/known-variables';
import { ConfigError, EXIT_CONFIG, loadConfig } from '../src/index';

/** SPEC 3.1 RC_CONFIG_FILE: a YAML file of RC_* variables under the environment. */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SECRET = 'Sup3rSecretValue-do-not-print';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rc-config-file-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

let counter = 0;
async function configFile(text: string): Promise<string> {
  counter += 1;
  const file = path.join(dir, `config-${counter}.yaml`);
  await writeFile(file, text);
  return file;
}

function problemsOf(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env, ['sender']);
    return [];
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
}

const BASE = `
RC_MAILBOX_ADDRESS: approvals@corp.example
RC_SIGNING_KEYS: k1:${'ab'.repeat(20)}
RC_SMTP_HOST: smtp.corp.example
`;

describe('RC_CONFIG_FILE', () => {
  it('supplies any variable by name; values stay text as in the environment', async () => {
    const file = await configFile(`${BASE}
RC_HTTP_PORT: 9090
RC_WHITELIST_ENABLED: true
RC_WHITELIST_DOMAINS: "corp.example, *.corp.example"
RC_API_TOKEN: 1234567890123456789012
RC_ENCRYPTION_KEY: "${'1'.repeat(60)}e5e5"
x-shared: &shared corp.example
`);
    const config = loadConfig({ RC_CONFIG_FILE: file }, ['sender']);
    expect(config.httpPort).toBe(9090);
    expect(config.whitelist).toEqual({
      enabled: true,
      domains: ['corp.example', '*.corp.example'],
    });
    // 22 digits would lose precision as a YAML number
    expect(config.apiToken).toBe('1234567890123456789012');
    expect(config.encryptionKeys?.[0]?.key.toString('hex')).toBe(`${'1'.repeat(60)}e5e5`);
    expect(config.smtp.host).toBe('smtp.corp.example');
  });

  it('is overridden by the environment, a variable together with its _FILE twin', async () => {
    const secretFile = path.join(dir, 'smtp-password');
    await writeFile(secretFile, `${SECRET}\n`);
    const file = await configFile(`${BASE}
RC_HTTP_PORT: "9090"
RC_SMTP_USER: approvals
RC_SMTP_PASSWORD_FILE: ${secretFile}
RC_LOG_LEVEL: debug
`);
    const fromFile = loadConfig({ RC_CONFIG_FILE: file }, ['sender']);
    expect(fromFile.smtp.password).toBe(SECRET);
    expect(fromFile.httpPort).toBe(9090);

    const overridden = loadConfig(
      {
        RC_CONFIG_FILE: file,
        RC_HTTP_PORT: '7070',
        RC_SMTP_PASSWORD: 'from-env',
        RC_LOG_LEVEL: '',
      },
      ['sender'],
    );
    expect(overridden.httpPort).toBe(7070);
    expect(overridden.smtp.password).toBe('from-env');
    // an empty variable counts as absent, in the file as everywhere else
    expect(overridden.logLevel).toBe('debug');
  });

  it('names unknown and mistyped keys, one line each, with a guess and without their values', async () => {
    const file = await configFile(`${BASE}
RC_WEBHOK_URL: https://${SECRET}@release.corp.example/hook
rc_redis_url: redis://${SECRET}@redis:6379
RC_SMTP_PASWORD_FILE: /run/secrets/smtp
RC_TOTALLY_UNKNOWN: ${SECRET}
REDIS_URL: redis://redis:6379
RC_SMTP_PORT: [25, 587]
RC_CONFIG_FILE: /elsewhere.yaml
`);
    const problems = problemsOf({ RC_CONFIG_FILE: file });
    expect(problems).toEqual([
      expect.stringMatching(/^RC_WEBHOK_URL: not a variable .*; did you mean RC_WEBHOOK_URL\?/),
      expect.stringMatching(/^rc_redis_url: not a variable .*; did you mean RC_REDIS_URL\?/),
      expect.stringMatching(/^RC_SMTP_PASWORD_FILE: .*did you mean RC_SMTP_PASSWORD_FILE\?/),
      expect.stringMatching(/^RC_TOTALLY_UNKNOWN: not a variable remote-completion reads/),
      expect.stringMatching(/^REDIS_URL: .*did you mean RC_REDIS_URL\?/),
      expect.stringMatching(/^RC_SMTP_PORT: must be a single value/),
      expect.stringMatching(/^RC_CONFIG_FILE: cannot be set inside the config file/),
    ]);
    expect(problems.join('\n')).not.toContain(SECRET);
  });

  it('reports an unreadable file or invalid YAML in one line, never quoting the file', async () => {
    const missing = problemsOf({ RC_CONFIG_FILE: path.join(dir, 'nope.yaml') });
    expect(missing).toEqual([
      expect.stringMatching(/^RC_CONFIG_FILE: cannot read .*nope\.yaml \(ENOENT\)/),
    ]);

    const broken = await configFile(`${BASE}RC_API_TOKEN: "${SECRET}\nRC_HTTP_PORT: [\n`);
    const invalid = problemsOf({ RC_CONFIG_FILE: broken });
    expect(invalid).toEqual([
      expect.stringMatching(/^RC_CONFIG_FILE: .* is not valid YAML at line \d+/),
    ]);
    expect(invalid[0]).not.toContain(SECRET);

    const list = await configFile('- RC_REDIS_URL\n');
    expect(problemsOf({ RC_CONFIG_FILE: list })).toEqual([
      expect.stringMatching(/^RC_CONFIG_FILE: .* must be a YAML mapping/),
    ]);
    // duplicate keys are an error in YAML: which one would win is not obvious
    const twice = await configFile(`${BASE}RC_HTTP_PORT: 1\nRC_HTTP_PORT: 2\n`);
    expect(problemsOf({ RC_CONFIG_FILE: twice })).toHaveLength(1);
  });

  it(`stops a service with one config error line and exit code ${EXIT_CONFIG}`, async () => {
    const broken = await configFile(`RC_SIGNING_KEYS: "${SECRET}\n`);
    const child = spawn(process.execPath, ['--import', 'tsx', 'services/verifier/src/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', RC_CONFIG_FILE: broken },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(EXIT_CONFIG);
    expect(output.trim().split('\n')).toEqual([
      expect.stringMatching(/^config error: RC_CONFIG_FILE: .* is not valid YAML/),
    ]);
    expect(output).not.toContain(SECRET);
  }, 30_000);
});

/** Every `.ts` file under a folder, recursively. */
async function sourcesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

describe('the list of known variables', () => {
  it('holds every RC_ variable the sources read and the SPEC names', async () => {
    const files = (
      await Promise.all(
        ['packages', 'services'].map(async (group) => {
          const names = await readdir(path.join(ROOT, group));
          return Promise.all(
            names.map((name) => sourcesUnder(path.join(ROOT, group, name, 'src'))),
          );
        }),
      )
    ).flat(2);
    const text = (await Promise.all(files.map((file) => readFile(file, 'utf8')))).join('\n');
    // quoted names; RC_IMAP and RC_SMTP alone are prefixes that mail.ts completes (_HOST, …)
    const read = new Set([...text.matchAll(/['`](RC_[A-Z0-9_]+)['`]/g)].map((match) => match[1]!));
    const spec = await readFile(path.join(ROOT, '../shared/SPEC.md'), 'utf8').catch(() => '');
    for (const match of spec.matchAll(/`(RC_[A-Z0-9_]+)`/g)) read.add(match[1]!);
    const unlisted = [...read].filter(
      (name) =>
        !['RC_IMAP', 'RC_SMTP', 'RC_CONFIG_FILE'].includes(name) &&
        !KNOWN_VARIABLES.has(name) &&
        !(name.endsWith('_FILE') && KNOWN_VARIABLES.has(name.slice(0, -5))),
    );
    expect(unlisted).toEqual([]);
    expect(read.size).toBeGreaterThan(60);
  });
});
