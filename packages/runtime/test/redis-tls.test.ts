import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createTestCertificateAuthority, startRedis, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedis, loadConfig, startHost } from '../src/index';

/**
 * `rediss://` with RC_TLS_CA_FILE: a Redis whose certificate a private CA signed (as managed
 * Redis services and in-house deployments have) is trusted through the same setting as IMAP,
 * SMTP, Graph and the engines, and never without it.
 */

let dir: string;
let caFile: string;
let redis: RedisServer;
let tlsUrl: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rc-redis-tls-'));
  caFile = (await createTestCertificateAuthority(dir)).caFile;
  redis = await startRedis({
    tls: { certFile: path.join(dir, 'server.pem'), keyFile: path.join(dir, 'server.key') },
  });
  tlsUrl = redis.tlsUrl ?? '';
});
afterAll(async () => {
  await redis?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('Redis over TLS', () => {
  it('trusts a server certificate signed by the RC_TLS_CA_FILE CA', async () => {
    const client = createRedis(tlsUrl, 'client', { tlsCaFile: caFile });
    try {
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('refuses it without the CA: the public roots alone do not vouch for it', async () => {
    const client = createRedis(tlsUrl, 'client');
    let lastError: Error | undefined;
    client.on('error', (error: Error) => (lastError = error));
    try {
      await expect(client.ping()).rejects.toThrow();
      expect(lastError?.message).toMatch(/certificate/i);
    } finally {
      client.disconnect();
    }
  });

  it('a service host connects all its Redis connections with RC_TLS_CA_FILE', async () => {
    const config = loadConfig(
      {
        RC_REDIS_URL: tlsUrl,
        RC_TLS_CA_FILE: caFile,
        RC_MAILBOX_ADDRESS: 'approvals@rc.example',
        RC_SIGNING_KEYS: `k1:${'cd'.repeat(24)}`,
        RC_HTTP_PORT: '0',
        RC_LOG_LEVEL: 'silent',
      },
      ['task-updater'],
    );
    const host = await startHost(config, [], 'tls-test');
    try {
      const ready = await fetch(`http://127.0.0.1:${host.http.port}/readyz`);
      expect(ready.status).toBe(200);
    } finally {
      await host.close();
    }
  });
});
