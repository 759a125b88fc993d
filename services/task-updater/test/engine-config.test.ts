import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError, EXIT_CONFIG, loadConfig, type ServiceRole } from '@rc/runtime';
import { describe, expect, it } from 'vitest';
import { ENGINE_SECTION, engineConfigSection, type EngineSelection } from '../src/index';

/**
 * RC_ENGINE and each engine's own RC_* settings, read by the task-updater's config section
 * (moved here from packages/runtime/test/config.test.ts with the settings themselves).
 */

const BASE = {
  RC_MAILBOX_ADDRESS: 'approvals@corp.example',
  RC_SIGNING_KEYS: `k1:${'a1'.repeat(20)}`,
};
const WEBHOOK = {
  RC_WEBHOOK_URL: 'https://release.corp.example/hooks/email',
  RC_WEBHOOK_SECRET: 'webhook-secret',
};
const section = engineConfigSection();

function engineOf(env: Record<string, string>, roles: ServiceRole[] = ['task-updater']) {
  return loadConfig(env, roles, [section]).sections[ENGINE_SECTION] as EngineSelection;
}

function problemsOf(
  env: Record<string, string | undefined>,
  roles: ServiceRole[] = ['task-updater'],
): string[] {
  try {
    loadConfig(env, roles, [section]);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.problems;
  }
}

describe('RC_ENGINE', () => {
  it('defaults to the webhook engine with a 10 s timeout', () => {
    expect(engineOf({ ...BASE, ...WEBHOOK })).toEqual({
      engine: 'webhook',
      settings: {
        url: 'https://release.corp.example/hooks/email',
        secret: 'webhook-secret',
        timeoutMs: 10_000,
      },
    });
  });

  it('names any registered engine, in any case', () => {
    expect(engineOf({ ...BASE, RC_ENGINE: 'QUEUE' })).toEqual({ engine: 'queue', settings: {} });
  });

  it('the task-updater needs the webhook URL and secret; other roles do not', () => {
    expect(problemsOf(BASE)).toEqual([
      expect.stringMatching(/^RC_WEBHOOK_URL: is required/),
      expect.stringMatching(/^RC_WEBHOOK_SECRET: is required/),
    ]);
    expect(problemsOf(BASE, ['verifier'])).toEqual([]);
  });

  it('the release engine needs a token, or a user and a password', () => {
    const release = {
      ...BASE,
      RC_ENGINE: 'release',
      RC_RELEASE_URL: 'https://release.corp.example',
    };
    expect(problemsOf(release)).toEqual([expect.stringMatching(/^RC_RELEASE_TOKEN: is required/)]);
    expect(problemsOf({ ...release, RC_RELEASE_USER: 'bot' })).toHaveLength(1);
    expect(
      engineOf({ ...release, RC_RELEASE_USER: 'bot', RC_RELEASE_PASSWORD: 'pw' }).settings,
    ).toMatchObject({ url: 'https://release.corp.example', user: 'bot', password: 'pw' });
    expect(engineOf({ ...release, RC_RELEASE_TOKEN: 'tok' }).settings).toMatchObject({
      token: 'tok',
      timeoutMs: 10_000,
    });
  });

  it('an unknown engine is one problem among all the others, listing the registered ones', () => {
    const problems = problemsOf(
      { RC_MAILBOX_ADDRESS: 'not-an-address', RC_ENGINE: 'jenkins', RC_BATCH_SIZE: '0' },
      ['verifier'],
    );
    expect(problems).toEqual([
      expect.stringMatching(/^RC_MAILBOX_ADDRESS: must be an e-mail address/),
      expect.stringMatching(/^RC_SIGNING_KEYS: is required/),
      expect.stringMatching(/^RC_BATCH_SIZE: /),
      'RC_ENGINE: must be one of webhook, release, queue, not "jenkins", e.g. RC_ENGINE=webhook',
    ]);
  });

  it('never echoes a secret: a webhook URL with credentials and a bad scheme', () => {
    const problems = problemsOf({
      ...BASE,
      ...WEBHOOK,
      RC_WEBHOOK_URL: 'ftp://hook:Tr0ub4dor3SECRET@release.corp.example/x',
    });
    expect(problems.length).toBeGreaterThan(0);
    for (const line of problems) expect(line).not.toContain('Tr0ub4dor3SECRET');
  });
});

describe('the task-updater started with bad engine settings', () => {
  it(`prints one "config error:" line per problem, its engine's included, and exits with ${EXIT_CONFIG}`, async () => {
    const root = fileURLToPath(new URL('../../../', import.meta.url));
    const env = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? '/tmp',
      ...BASE,
      RC_ENGINE: 'release',
      RC_RELEASE_URL: 'http://bot:Tr0ub4dor3SECRET@release.corp.example:port',
      RC_RELEASE_PASSWORD: 'Tr0ub4dor3SECRET',
      RC_SMTP_PORT: 'abc',
      RC_HTTP_PORT: '0',
    };
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'services/task-updater/src/main.ts'],
      { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) =>
      child.once('exit', (exitCode) => resolve(exitCode)),
    );
    expect(code).toBe(EXIT_CONFIG);
    expect(output.split('\n').filter(Boolean)).toEqual(
      problemsOf(env).map((problem) => `config error: ${problem}`),
    );
    expect(output).toMatch(/config error: RC_RELEASE_URL: must be a http: or https: URL/);
    expect(output).toMatch(/config error: RC_RELEASE_TOKEN: is required with RC_ENGINE=release/);
    expect(output).not.toContain('Tr0ub4dor3SECRET');
  }, 30_000);
});
