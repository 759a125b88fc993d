import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, DEFAULT_OAUTH2_SCOPE, loadConfig, type ServiceRole } from '../src/index';

/** SPEC 3.1 / issue 8: XOAUTH2, Microsoft Graph, RC_ENCRYPTION_KEY and RC_TLS_CA_FILE. */

const BASE = {
  RC_MAILBOX_ADDRESS: 'approvals@corp.example',
  RC_SIGNING_KEYS: `k1:${'a1'.repeat(20)}`,
};
const POLLER_IMAP = {
  RC_IMAP_HOST: 'imap.corp.example',
  RC_IMAP_USER: 'approvals@corp.example',
};
const HEX_KEY = 'ab'.repeat(32);
const OAUTH2 = {
  RC_OAUTH2_TOKEN_URL: 'https://login.microsoftonline.com/contoso/oauth2/v2.0/token',
  RC_OAUTH2_CLIENT_ID: '11111111-2222-3333-4444-555555555555',
  RC_ENCRYPTION_KEY: HEX_KEY,
};
const GRAPH = {
  RC_GRAPH_TENANT_ID: 'contoso.onmicrosoft.com',
  RC_GRAPH_CLIENT_ID: '66666666-7777-8888-9999-000000000000',
  RC_GRAPH_CLIENT_SECRET: 'graph-Secret~value',
};

type Env = Record<string, string | undefined>;

function problemsOf(env: Env, roles: ServiceRole[]): string[] {
  try {
    loadConfig(env, roles);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const line of error.problems)
      expect(line).toMatch(/^RC_[A-Z0-9_]+: .+, e\.g\. RC_[A-Z0-9_]+=\S/);
    return error.problems;
  }
}

/** The variable each problem line names, in order. */
function namesOf(env: Env, roles: ServiceRole[]): string[] {
  return problemsOf(env, roles).map((line) => line.slice(0, line.indexOf(':')));
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rc-config-m365-'));
});
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('RC_IMAP_AUTH, RC_SMTP_AUTH and RC_OAUTH2_*', () => {
  it('password is the default without a token endpoint; nothing OAuth2 is read', () => {
    const config = loadConfig(
      { ...BASE, ...POLLER_IMAP, RC_IMAP_PASSWORD: 'pw', RC_SMTP_HOST: 'smtp.corp.example' },
      ['sender', 'poller'],
    );
    expect(config.imap.auth).toBe('password');
    expect(config.smtp.auth).toBe('password');
    expect(config.oauth2).toBeUndefined();
    expect(config.encryptionKeys).toBeUndefined();
  });

  it('a token endpoint makes oauth2 the default on both sides, with Microsoft scopes', () => {
    const config = loadConfig(
      { ...BASE, ...POLLER_IMAP, ...OAUTH2, RC_SMTP_HOST: 'smtp.corp.example' },
      ['sender', 'poller'],
    );
    expect(config.imap.auth).toBe('oauth2');
    expect(config.smtp.auth).toBe('oauth2');
    expect(config.oauth2).toEqual({
      tokenUrl: OAUTH2.RC_OAUTH2_TOKEN_URL,
      clientId: OAUTH2.RC_OAUTH2_CLIENT_ID,
      clientSecret: undefined,
      refreshToken: undefined,
      scope: DEFAULT_OAUTH2_SCOPE,
    });
    expect(DEFAULT_OAUTH2_SCOPE).toBe(
      'https://outlook.office.com/IMAP.AccessAsUser.All https://outlook.office.com/SMTP.Send offline_access',
    );
  });

  it('reads the optional secret, refresh token and scope; each side can be switched back', () => {
    const config = loadConfig(
      {
        ...BASE,
        ...POLLER_IMAP,
        ...OAUTH2,
        RC_OAUTH2_CLIENT_SECRET: 'client-secret',
        RC_OAUTH2_REFRESH_TOKEN: 'refresh-token',
        RC_OAUTH2_SCOPE: 'https://mail.example/imap offline_access',
        RC_SMTP_AUTH: 'PASSWORD',
      },
      ['poller'],
    );
    expect(config.oauth2).toMatchObject({
      clientSecret: 'client-secret',
      refreshToken: 'refresh-token',
      scope: 'https://mail.example/imap offline_access',
    });
    expect(config.smtp.auth).toBe('password');
    expect(config.imap.auth).toBe('oauth2');
  });

  it('password auth for IMAP needs RC_IMAP_PASSWORD, even with a token endpoint set', () => {
    expect(
      namesOf({ ...BASE, ...POLLER_IMAP, ...OAUTH2, RC_IMAP_AUTH: 'password' }, ['poller']),
    ).toEqual(['RC_IMAP_PASSWORD']);
    expect(problemsOf({ ...BASE, ...POLLER_IMAP }, ['poller'])[0]).toMatch(
      /^RC_IMAP_PASSWORD: is required .*RC_IMAP_AUTH=oauth2/,
    );
  });

  it('oauth2 for a role that uses it needs the token endpoint, the client id and the encryption key', () => {
    const problems = problemsOf({ ...BASE, ...POLLER_IMAP, RC_IMAP_AUTH: 'oauth2' }, ['poller']);
    expect(problems).toEqual([
      expect.stringMatching(/^RC_OAUTH2_TOKEN_URL: is required with RC_IMAP_AUTH=oauth2/),
      expect.stringMatching(/^RC_OAUTH2_CLIENT_ID: is required with RC_IMAP_AUTH=oauth2/),
      expect.stringMatching(/^RC_ENCRYPTION_KEY: is required with RC_IMAP_AUTH=oauth2/),
    ]);
    expect(
      namesOf({ ...BASE, RC_SMTP_HOST: 'smtp.corp.example', RC_SMTP_AUTH: 'oauth2' }, ['sender']),
    ).toEqual(['RC_OAUTH2_TOKEN_URL', 'RC_OAUTH2_CLIENT_ID', 'RC_ENCRYPTION_KEY']);
  });

  it('OAuth2 without RC_ENCRYPTION_KEY says why the key is needed', () => {
    const { RC_ENCRYPTION_KEY: _key, ...withoutKey } = OAUTH2;
    const problems = problemsOf({ ...BASE, ...POLLER_IMAP, ...withoutKey }, ['poller']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^RC_ENCRYPTION_KEY: is required with RC_IMAP_AUTH=oauth2: /);
    expect(problems[0]).toMatch(/refresh token .* rotates is kept in Redis, encrypted/);
  });

  it('a role that does not log in with oauth2 does not need its settings', () => {
    const env = { ...BASE, RC_IMAP_AUTH: 'oauth2', RC_SMTP_AUTH: 'oauth2' };
    expect(problemsOf(env, ['verifier', 'task-updater'])).toEqual([]);
    // The transport is Graph: SMTP's XOAUTH2 is not used, nor its host.
    expect(problemsOf({ ...env, ...GRAPH, RC_MAIL_TRANSPORT: 'graph' }, ['sender'])).toEqual([]);
  });

  it('rejects an unknown auth kind and a token URL that is not http(s)', () => {
    expect(
      namesOf(
        {
          ...BASE,
          ...POLLER_IMAP,
          ...OAUTH2,
          RC_IMAP_AUTH: 'kerberos',
          RC_OAUTH2_TOKEN_URL: 'ftp://x/token',
        },
        ['poller'],
      ),
    ).toEqual(['RC_IMAP_AUTH', 'RC_OAUTH2_TOKEN_URL']);
  });
});

describe('RC_ENCRYPTION_KEY', () => {
  const keysOf = (value: string) =>
    loadConfig({ ...BASE, RC_ENCRYPTION_KEY: value }, ['verifier']).encryptionKeys;
  const bareId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 8);

  it('a bare key, as 64 hex characters or base64, gets the first 8 hex of its SHA-256 as id', () => {
    const key = randomBytes(32);
    const expected = [{ id: bareId(key), key }];
    expect(keysOf(key.toString('hex'))).toEqual(expected);
    expect(keysOf(key.toString('hex').toUpperCase())).toEqual(expected);
    expect(keysOf(key.toString('base64'))).toEqual(expected);
    expect(keysOf(key.toString('base64url'))).toEqual(expected);
  });

  it('kid:key pairs keep their order: the first encrypts, all decrypt', () => {
    const [newer, older, bare] = [randomBytes(32), randomBytes(32), randomBytes(32)];
    expect(
      keysOf(`k2:${newer.toString('hex')}, k1:${older.toString('base64')},${bare.toString('hex')}`),
    ).toEqual([
      { id: 'k2', key: newer },
      { id: 'k1', key: older },
      { id: bareId(bare), key: bare },
    ]);
  });

  it.each([
    ['a key of 31 bytes', randomBytes(31).toString('hex'), /the key: must be 32 bytes/],
    ['a key of 33 bytes in base64', randomBytes(33).toString('base64'), /must be 32 bytes/],
    ['a passphrase', 'Correct-Horse-Battery-Staple-1234', /must be 32 bytes/],
    ['a bad key id', `Key_1:${HEX_KEY}`, /the key id must be 1-16 lower-case letters or digits/],
    ['a key id of 17 characters', `${'k'.repeat(17)}:${HEX_KEY}`, /the key id must be/],
    [
      'a second entry that is broken',
      `k1:${HEX_KEY},k2:${'cd'.repeat(20)}`,
      /entry 2: must be 32 bytes/,
    ],
    ['a key id listed twice', `k1:${HEX_KEY},k1:${'cd'.repeat(32)}`, /key id "k1" is listed twice/],
    ['only commas', ',,', /holds no key/],
  ])('%s is a problem that echoes neither key nor key id', (_case, value, message) => {
    const problems = problemsOf({ ...BASE, RC_ENCRYPTION_KEY: value }, ['verifier']);
    expect(problems).toEqual([expect.stringMatching(message)]);
    for (const part of value.split(/[,:]/).filter((text) => text.length > 2 && text !== 'k1'))
      expect(problems[0]).not.toContain(part);
  });
});

describe('Microsoft Graph (RC_MAILBOX_SOURCE=graph, RC_MAIL_TRANSPORT=graph)', () => {
  it('the poller reading Graph needs the app, not IMAP', () => {
    expect(namesOf({ ...BASE, RC_MAILBOX_SOURCE: 'graph' }, ['poller'])).toEqual([
      'RC_GRAPH_TENANT_ID',
      'RC_GRAPH_CLIENT_ID',
      'RC_GRAPH_CLIENT_SECRET',
    ]);
    expect(problemsOf({ ...BASE, RC_MAILBOX_SOURCE: 'graph' }, ['poller'])[0]).toMatch(
      /is required with RC_MAILBOX_SOURCE=graph/,
    );
    expect(problemsOf({ ...BASE, ...GRAPH, RC_MAILBOX_SOURCE: 'graph' }, ['poller'])).toEqual([]);
  });

  it('the sender sending through Graph needs the app, not an SMTP host', () => {
    expect(problemsOf({ ...BASE, RC_MAIL_TRANSPORT: 'graph' }, ['sender'])[0]).toMatch(
      /^RC_GRAPH_TENANT_ID: is required with RC_MAIL_TRANSPORT=graph/,
    );
    expect(problemsOf({ ...BASE, ...GRAPH, RC_MAIL_TRANSPORT: 'graph' }, ['sender'])).toEqual([]);
  });

  it('fills in the defaults: the mailbox address, inbox, the global cloud', () => {
    const config = loadConfig({ ...BASE, ...GRAPH, RC_MAILBOX_SOURCE: 'graph' }, ['poller']);
    expect(config.graph).toEqual({
      tenantId: 'contoso.onmicrosoft.com',
      clientId: GRAPH.RC_GRAPH_CLIENT_ID,
      clientSecret: 'graph-Secret~value',
      user: 'approvals@corp.example',
      folder: 'inbox',
      baseUrl: 'https://graph.microsoft.com/v1.0',
      authorityHost: 'https://login.microsoftonline.com',
      notificationUrl: undefined,
    });
  });

  it('reads a national cloud, another user and folder, and the notification URL', () => {
    const config = loadConfig(
      {
        ...BASE,
        ...GRAPH,
        RC_MAILBOX_SOURCE: 'graph',
        RC_GRAPH_USER: 'release-approvals@corp.example',
        RC_GRAPH_FOLDER: 'AAMkAGI2TG93AAA=',
        RC_GRAPH_BASE_URL: 'https://graph.microsoft.us/v1.0/',
        RC_GRAPH_AUTHORITY_HOST: 'https://login.microsoftonline.us/',
        RC_GRAPH_NOTIFICATION_URL: 'https://rc.corp.example/v1/graph/notifications',
      },
      ['poller'],
    );
    expect(config.graph).toMatchObject({
      user: 'release-approvals@corp.example',
      folder: 'AAMkAGI2TG93AAA=',
      baseUrl: 'https://graph.microsoft.us/v1.0',
      authorityHost: 'https://login.microsoftonline.us',
      notificationUrl: 'https://rc.corp.example/v1/graph/notifications',
    });
  });

  it('endpoints must be https, and a bad one is shown without its credentials', () => {
    const problems = problemsOf(
      {
        ...BASE,
        ...GRAPH,
        RC_MAILBOX_SOURCE: 'graph',
        RC_GRAPH_BASE_URL: 'http://graph.local/v1.0',
        RC_GRAPH_AUTHORITY_HOST: 'http://app:Tr0ub4dor3SECRET@login.local',
        RC_GRAPH_NOTIFICATION_URL: 'http://rc.corp.example/v1/graph/notifications',
      },
      ['poller'],
    );
    expect(problems.map((line) => line.slice(0, line.indexOf(':')))).toEqual([
      'RC_GRAPH_BASE_URL',
      'RC_GRAPH_AUTHORITY_HOST',
      'RC_GRAPH_NOTIFICATION_URL',
    ]);
    for (const line of problems) expect(line).toMatch(/must be a https: URL/);
    expect(problems.join('\n')).not.toContain('Tr0ub4dor3SECRET');
  });

  it('Graph settings given to a role that does not use them are still checked', () => {
    expect(namesOf({ ...BASE, RC_GRAPH_TENANT_ID: 'contoso' }, ['verifier'])).toEqual([
      'RC_GRAPH_CLIENT_ID',
      'RC_GRAPH_CLIENT_SECRET',
    ]);
    expect(loadConfig(BASE, ['verifier']).graph).toBeUndefined();
  });

  describe('RC_GRAPH_CLIENT_CERTIFICATE_FILE', () => {
    const CERTIFICATE = '-----BEGIN CERTIFICATE-----\nMIIBsz\n-----END CERTIFICATE-----\n';
    const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEvQ\n-----END PRIVATE KEY-----\n';
    const { RC_GRAPH_CLIENT_SECRET: _secret, ...APP } = GRAPH;
    const graphEnv = (extra: Env): Env => ({
      ...BASE,
      ...APP,
      RC_MAILBOX_SOURCE: 'graph',
      ...extra,
    });

    async function pemFile(name: string, text: string): Promise<string> {
      const file = path.join(dir, name);
      await writeFile(file, text);
      return file;
    }

    it('reads a PEM holding the certificate and its private key', async () => {
      const file = await pemFile('app.pem', KEY + CERTIFICATE);
      const { graph } = loadConfig(graphEnv({ RC_GRAPH_CLIENT_CERTIFICATE_FILE: file }), [
        'poller',
      ]);
      expect(graph?.certificateFile).toBe(file);
      expect(graph?.certificatePem).toBe(KEY + CERTIFICATE);
      expect(graph?.clientSecret).toBeUndefined();
    });

    it.each([
      ['no private key', CERTIFICATE, /lacks a PRIVATE KEY block/],
      ['no certificate', KEY, /lacks a CERTIFICATE block/],
      ['neither', 'hello', /lacks a CERTIFICATE block and a PRIVATE KEY block/],
      [
        'an encrypted key',
        CERTIFICATE + KEY.replace(/PRIVATE KEY/g, 'ENCRYPTED PRIVATE KEY'),
        /encrypted private key; export it without a passphrase/,
      ],
    ])('a PEM with %s is a problem', async (name, text, message) => {
      const file = await pemFile(`${name.replace(/\W/g, '-')}.pem`, text);
      expect(problemsOf(graphEnv({ RC_GRAPH_CLIENT_CERTIFICATE_FILE: file }), ['poller'])).toEqual([
        expect.stringMatching(new RegExp(`^RC_GRAPH_CLIENT_CERTIFICATE_FILE: .*${message.source}`)),
      ]);
    });

    it('an unreadable file is a problem', () => {
      const file = path.join(dir, 'missing.pem');
      expect(problemsOf(graphEnv({ RC_GRAPH_CLIENT_CERTIFICATE_FILE: file }), ['poller'])).toEqual([
        expect.stringMatching(
          /^RC_GRAPH_CLIENT_CERTIFICATE_FILE: cannot read .*missing\.pem \(ENOENT\)/,
        ),
      ]);
    });

    it('a secret and a certificate together are a problem that echoes neither', async () => {
      const file = await pemFile('both.pem', CERTIFICATE + KEY);
      const problems = problemsOf(
        graphEnv({
          RC_GRAPH_CLIENT_CERTIFICATE_FILE: file,
          RC_GRAPH_CLIENT_SECRET: 'Tr0ub4dor3SECRET',
        }),
        ['poller'],
      );
      expect(problems).toEqual([
        expect.stringMatching(
          /^RC_GRAPH_CLIENT_SECRET: set either RC_GRAPH_CLIENT_SECRET or RC_GRAPH_CLIENT_CERTIFICATE_FILE, not both/,
        ),
      ]);
      expect(problems[0]).not.toContain('Tr0ub4dor3SECRET');
      expect(problems[0]).not.toContain('MIIEvQ');
    });
  });
});

describe('RC_TLS_CA_FILE', () => {
  it('names a readable PEM certificate', async () => {
    const ca = path.join(dir, 'ca.pem');
    await writeFile(ca, '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n');
    expect(loadConfig({ ...BASE, RC_TLS_CA_FILE: ca }, ['verifier']).tlsCaFile).toBe(ca);

    const notPem = path.join(dir, 'not-a-ca.txt');
    await writeFile(notPem, 'just text');
    expect(problemsOf({ ...BASE, RC_TLS_CA_FILE: notPem }, ['verifier'])).toEqual([
      expect.stringMatching(/^RC_TLS_CA_FILE: .*not-a-ca\.txt holds no PEM certificate/),
    ]);
    expect(
      problemsOf({ ...BASE, RC_TLS_CA_FILE: path.join(dir, 'nope.pem') }, ['verifier']),
    ).toEqual([expect.stringMatching(/^RC_TLS_CA_FILE: cannot read .*nope\.pem \(ENOENT\)/)]);
  });
});

describe('every problem at once', () => {
  it('M365 problems come together with the others, for all four roles', () => {
    const names = namesOf(
      {
        RC_MAILBOX_ADDRESS: 'approvals@corp.example',
        RC_MAILBOX_SOURCE: 'graph',
        RC_SMTP_HOST: 'smtp.corp.example',
        RC_SMTP_AUTH: 'oauth2',
        RC_ENCRYPTION_KEY: 'short',
        RC_GRAPH_BASE_URL: 'ftp://graph',
        RC_BATCH_SIZE: '0',
      },
      ['sender', 'poller', 'verifier', 'task-updater'],
    );
    expect(names).toEqual([
      'RC_ENCRYPTION_KEY',
      'RC_OAUTH2_TOKEN_URL',
      'RC_OAUTH2_CLIENT_ID',
      'RC_GRAPH_TENANT_ID',
      'RC_GRAPH_CLIENT_ID',
      'RC_GRAPH_CLIENT_SECRET',
      'RC_GRAPH_BASE_URL',
      'RC_SIGNING_KEYS',
      'RC_BATCH_SIZE',
    ]);
  });
});
