import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createSecretBox, refreshTokenKey, sharedOAuth2Tokens } from '@rc/microsoft';
import { loadConfig } from '@rc/runtime';
import {
  REPO_ROOT,
  startMicrosoftFake,
  startRedis,
  waitUntil,
  type MicrosoftFake,
  type RedisServer,
} from '@rc/testkit';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliIo } from '../src';

/**
 * `rc oauth2 login` against the local Entra ID's device-code endpoint: a test approves the code
 * the command prints, as a person would after signing in, and the refresh token must land in
 * Redis sealed, where the services read it.
 */

let ms: MicrosoftFake;
let redisServer: RedisServer;
let redis: Redis;
const encryptionKey = randomBytes(32).toString('hex');

beforeAll(async () => {
  [ms, redisServer] = await Promise.all([
    startMicrosoftFake({ deviceCodeIntervalSeconds: 1 }),
    startRedis(),
  ]);
  redis = new Redis(redisServer.url);
});
afterAll(async () => {
  redis?.disconnect();
  await Promise.allSettled([ms?.close(), redisServer?.stop()]);
});

function loginEnv(extra: Record<string, string> = {}): Record<string, string> {
  const clientId = randomUUID();
  ms.registerApp({ clientId });
  return {
    RC_MAILBOX_ADDRESS: 'rc@contoso.test',
    RC_SIGNING_KEYS: 'k1:' + 'l'.repeat(40),
    RC_REDIS_URL: redisServer.url,
    RC_QUEUE_PREFIX: `l${clientId.slice(0, 8)}`,
    RC_OAUTH2_TOKEN_URL: ms.tokenUrl,
    RC_OAUTH2_CLIENT_ID: clientId,
    RC_ENCRYPTION_KEY: encryptionKey,
    RC_TLS_CA_FILE: ms.caFile,
    ...extra,
  };
}

/** The refresh token the login stored, opened with the key (as the services open it). */
async function storedRefreshToken(env: Record<string, string>): Promise<string> {
  const config = loadConfig(env, []);
  const key = refreshTokenKey(config.queuePrefix, config.oauth2!.clientId);
  const sealed = await redis.get(key);
  if (!sealed) throw new Error(`nothing stored under ${key}`);
  const box = createSecretBox(config.encryptionKeys!);
  return (JSON.parse(box.open(sealed, key)) as { refreshToken: string }).refreshToken;
}

/** Every string value in Redis: a token must appear in none of them. */
async function everyRedisValue(): Promise<string> {
  const values: string[] = [];
  for (const key of await redis.keys('*')) {
    if ((await redis.type(key)) === 'string') values.push(`${key}=${await redis.get(key)}`);
  }
  return values.join('\n');
}

function run(args: string[], env: Record<string, string>) {
  const child = spawn('pnpm', ['--silent', 'rc', ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { stdout: () => stdout, stderr: () => stderr, exited };
}

function captureIo(env: Record<string, string>, onLine: (line: string) => void = () => {}) {
  const lines = { stdout: [] as string[], stderr: [] as string[] };
  const io: CliIo = {
    env,
    stdout: {
      write: (text: string) =>
        text
          .trimEnd()
          .split('\n')
          .forEach((l) => (lines.stdout.push(l), onLine(l))),
    },
    stderr: { write: (text: string) => lines.stderr.push(...text.trimEnd().split('\n')) },
  };
  return { io, lines };
}

describe('rc oauth2 login', () => {
  it('signs in by device code and stores the refresh token sealed in Redis (pnpm rc, end to end)', async () => {
    const env = loginEnv();
    const user = 'alice@contoso.test';
    const login = run(['oauth2', 'login'], env);
    const code = await waitUntil(
      'the printed code',
      () => /enter the code (\w+)/.exec(login.stdout())?.[1],
      20_000,
    );
    expect(login.stdout()).toContain(ms.authorityHost);
    ms.deviceCodes.approve(user, code);
    expect(await login.exited).toBe(0);

    const refreshToken = await storedRefreshToken(env);
    expect(login.stdout()).toContain(
      refreshTokenKey(env.RC_QUEUE_PREFIX!, env.RC_OAUTH2_CLIENT_ID!),
    );
    expect(login.stdout() + login.stderr()).not.toContain(refreshToken);
    expect(await everyRedisValue()).not.toContain(refreshToken);
  });

  it('prints JSON lines with --json, and the services prefer the new token over a stale RC_OAUTH2_REFRESH_TOKEN', async () => {
    const env = loginEnv({ RC_OAUTH2_REFRESH_TOKEN: 'stale-refresh-token' });
    const { io, lines } = captureIo(env, (line) => {
      const event = JSON.parse(line) as { event?: string; userCode?: string };
      if (event.event === 'prompt') ms.deviceCodes.approve('bob@contoso.test', event.userCode);
    });
    expect(await runCli(['oauth2', 'login', '--json'], io)).toBe(0);

    const [prompt, result, ...more] = lines.stdout.map((line) => JSON.parse(line) as object);
    expect(more).toEqual([]);
    expect(prompt).toMatchObject({ event: 'prompt', verificationUri: expect.any(String) });
    expect(result).toMatchObject({
      ok: true,
      clientId: env.RC_OAUTH2_CLIENT_ID,
      encryptionKeyId: expect.any(String),
    });
    const config = loadConfig(env, []);
    const tokens = sharedOAuth2Tokens({
      oauth2: config.oauth2!,
      encryptionKeys: config.encryptionKeys,
      redis,
      prefix: config.queuePrefix,
      tlsCaFile: config.tlsCaFile,
    });
    await expect(tokens.getAccessToken()).resolves.toEqual(expect.any(String));
  });

  it('fails with exit 1 and a clear line when the sign-in is declined', async () => {
    const env = loginEnv();
    const { io, lines } = captureIo(env, (line) => {
      if (line.includes('enter the code')) ms.deviceCodes.deny();
    });
    expect(await runCli(['oauth2', 'login'], io)).toBe(1);
    expect(lines.stderr.join('\n')).toMatch(/declined/);
    await expect(storedRefreshToken(env)).rejects.toThrow(/nothing stored/);
  });

  it('exits 78 with one config error line per problem', async () => {
    const login = run(['oauth2', 'login'], {
      RC_MAILBOX_ADDRESS: 'rc@contoso.test',
      RC_SIGNING_KEYS: 'k1:' + 'l'.repeat(40),
      RC_OAUTH2_TOKEN_URL: 'ftp://nope',
    });
    expect(await login.exited).toBe(78);
    const errors = login.stderr().trim().split('\n');
    expect(errors.every((line) => line.startsWith('config error: '))).toBe(true);
    expect(errors.some((line) => line.includes('RC_OAUTH2_TOKEN_URL'))).toBe(true);
    expect(errors.some((line) => line.includes('RC_OAUTH2_CLIENT_ID'))).toBe(true);
    expect(errors.some((line) => line.includes('RC_ENCRYPTION_KEY'))).toBe(true);
    expect(login.stdout()).toBe('');
  });
});

describe('rc', () => {
  it('lists its commands and refuses an unknown one', async () => {
    const help = captureIo({});
    expect(await runCli(['help', '--json'], help.io)).toBe(0);
    const listed = JSON.parse(help.lines.stdout[0]!) as { commands: { name: string }[] };
    expect(listed.commands.map((command) => command.name)).toContain('oauth2 login');

    const unknown = captureIo({});
    expect(await runCli(['oauth2', 'logout'], unknown.io)).toBe(1);
    expect(unknown.lines.stderr.join('\n')).toContain('rc oauth2 login');
  });
});
