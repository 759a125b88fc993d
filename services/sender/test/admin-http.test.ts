import { QUEUE_NAMES } from '@rc/contracts';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REJECTION_REASONS } from '@rc/contracts';
import { ConfigError, loadConfig } from '@rc/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_AUTHORIZATION,
  ADMIN_PASSWORD,
  basicAuth,
  startAdminWorld,
  type AdminWorld,
} from './admin-world';

/**
 * The admin pages over HTTP (SPEC 3.5, issue 11): absent without RC_ADMIN_PASSWORD, behind HTTP
 * Basic with it, escaped, under a strict CSP, filterable, and free of every secret.
 */

let world: AdminWorld;

beforeAll(async () => {
  world = await startAdminWorld();
}, 60_000);

afterAll(async () => {
  await world?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

async function get(
  path: string,
  options: {
    authorization?: string | null;
    base?: string;
    method?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  const authorization =
    options.authorization === undefined ? ADMIN_AUTHORIZATION : options.authorization;
  const response = await fetch(`${options.base ?? world.baseUrl}${path}`, {
    method: options.method ?? 'GET',
    redirect: 'manual',
    headers: { ...(authorization ? { authorization } : {}), ...options.headers },
  });
  return { status: response.status, headers: response.headers, text: await response.text() };
}

/** The inbound ids of the rows the page's inbound table shows, in order. */
function inboundRows(page: string): string[] {
  return [...page.matchAll(/data-inbound-id="([^"]+)"/g)].map((match) => match[1] ?? '');
}

const ADMIN_PATHS = [
  '/admin/',
  '/admin/?outcome=rejected',
  '/admin/queues',
  '/admin/queues/api/queues',
  '/admin/queues/static/js/nothing.js',
];

describe('without RC_ADMIN_PASSWORD', () => {
  it.each(ADMIN_PATHS)('%s is 404, not a login prompt', async (path) => {
    const base = `http://127.0.0.1:${world.hostWithoutAdmin.http.port}`;
    for (const authorization of [null, ADMIN_AUTHORIZATION]) {
      const answer = await get(path, { base, authorization });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('www-authenticate')).toBeNull();
      expect(answer.text).not.toContain(world.requestId);
    }
  });
});

describe('login', () => {
  it.each([
    ['no Authorization header', null],
    ['a wrong password', basicAuth('admin', 'wrong-password-0123')],
    ['the password with a suffix', basicAuth('admin', `${ADMIN_PASSWORD}x`)],
    ['another user', basicAuth('root', ADMIN_PASSWORD)],
    ['a bearer token', 'Bearer admin-test-api-token-0123456789'],
    ['junk', 'Basic !!!'],
  ])('401 with a Basic challenge and no data for %s', async (_case, authorization) => {
    for (const path of [...ADMIN_PATHS, `/admin/requests/${world.requestId}`]) {
      const answer = await get(path, { authorization });
      expect(answer.status, path).toBe(401);
      expect(answer.headers.get('www-authenticate')).toMatch(/^Basic realm="[^"]+"/);
      expect(answer.text).not.toContain(world.requestId);
    }
    const pause = await get('/admin/queues/api/queues/results/pause', {
      authorization,
      method: 'PUT',
    });
    expect(pause.status).toBe(401);
    expect(await world.host.context.queues.results.isPaused()).toBe(false);
  });

  it('lets admin in, and sends /admin to /admin/', async () => {
    expect((await get('/admin/')).status).toBe(200);
    const bare = await get('/admin');
    expect(bare.status).toBe(301);
    expect(bare.headers.get('location')).toBe('/admin/');
  });
});

describe('the requests and inbound page', () => {
  it('runs no script and fetches nothing: a CSP that allows only its own inline style', async () => {
    const page = await get('/admin/');
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toMatch(/unsafe|script-src/);
    expect(csp).toContain("frame-ancestors 'none'");
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.text)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    expect(csp).toContain(`style-src 'sha256-${hash}'`);
    expect(page.text).not.toMatch(/<script|<[^>]*\s(style|on[a-z]+)=/i);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(page.headers.get('cache-control')).toBe('no-store');
  });

  it('lists recent requests newest first, with state and assignees', async () => {
    const page = (await get('/admin/')).text;
    const hostileAt = page.indexOf(`/admin/requests/${world.hostileRequestId}`);
    const deployAt = page.indexOf(`/admin/requests/${world.requestId}`);
    expect(hostileAt).toBeGreaterThan(0);
    expect(deployAt).toBeGreaterThan(hostileAt);
    expect(page).toContain('status-completed');
    expect(page).toContain('Alice Example &lt;alice.');
  });

  it('shows what engines and senders wrote as text, never as markup', async () => {
    for (const path of ['/admin/', `/admin/requests/${world.hostileRequestId}`]) {
      const page = (await get(path)).text;
      expect(page).toContain('&lt;script&gt;document.title=&quot;owned&quot;&lt;/script&gt;');
      expect(page).toContain('&quot;&gt;&lt;i&gt;Carol&lt;/i&gt;');
      expect(page).not.toMatch(/<script|<img|<i>|<b>/);
    }
  });

  it.each([
    ['', [4, 3, 2, 1]],
    ['?outcome=rejected', [4, 2, 1]],
    ['?outcome=accepted', [3]],
    ['?reason=auto_reply', [2]],
    ['?from=MALLORY%40corp.example', [1]],
    ['?requestId=REQ', [4, 3, 1]],
    ['?requestId=REQ&outcome=rejected&reason=already_decided', [4]],
    ['?limit=2', [4, 3]],
    ['?outcome=&reason=&requestId=&from=&limit=', [4, 3, 2, 1]],
  ])('filters the inbound log: %s', async (query, expected) => {
    const page = await get(`/admin/${query.replace('REQ', world.requestId)}`);
    expect(page.status).toBe(200);
    expect(inboundRows(page.text)).toEqual(expected.map((n) => world.inbound[n - 1]?.inboundId));
  });

  it('keeps the filters in the form and says what each reason means', async () => {
    const page = (await get('/admin/?outcome=rejected&reason=sender_mismatch')).text;
    expect(page).toContain('<option value="rejected" selected>');
    expect(page).toContain('<option value="sender_mismatch" selected>');
    expect(page).toContain(REJECTION_REASONS.sender_mismatch);
    expect(page).toContain('From mallory@corp.example, the token was sent to someone else');
    for (const reason of Object.keys(REJECTION_REASONS)) {
      expect(page).toContain(`<option value="${reason}"`);
    }
  });

  it('400 with the problem for a filter it cannot use, and no rows', async () => {
    const page = await get('/admin/?reason=spam&limit=0');
    expect(page.status).toBe(400);
    expect(page.text).toContain('reason: spam is not a documented reason');
    expect(page.text).toContain('limit: must be a whole number from 1 to 1000');
  });
});

describe('one request', () => {
  it('shows its state, decision, audit events and the emails about it', async () => {
    const page = await get(`/admin/requests/${world.requestId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain('status-completed');
    expect(page.text).toMatch(/complete by alice\.\S+ at\s+[\d-]+ [\d:]+Z, engine told at/);
    const events = [...page.text.matchAll(/<td><code>([a-z_]+)<\/code><\/td>/g)].map((m) => m[1]);
    expect(events).toEqual(
      expect.arrayContaining([
        'requested',
        'answer_rejected',
        'answer_accepted',
        'engine_notified',
      ]),
    );
    expect(events[0]).toBe('requested');
    expect(inboundRows(page.text)).toEqual([4, 3, 1].map((n) => world.inbound[n - 1]?.inboundId));
  });

  it('is found by id from the lookup box; an unknown id is a 404 page pointing at the inbound log', async () => {
    const lookup = await get(`/admin/requests?id=${encodeURIComponent(` ${world.requestId} `)}`);
    expect(lookup.status).toBe(303);
    expect(lookup.headers.get('location')).toBe(`/admin/requests/${world.requestId}`);
    const missing = await get('/admin/requests/no-such-request');
    expect(missing.status).toBe(404);
    expect(missing.text).toContain('/admin/?requestId=no-such-request#inbound');
  });
});

describe('Bull Board at /admin/queues', () => {
  it('serves the board with its own CSP, and every queue through its API', async () => {
    const board = await get('/admin/queues');
    expect(board.status).toBe(200);
    expect(board.text).toContain('<base href="/admin/queues/"');
    expect(board.headers.get('content-security-policy')).toContain("script-src 'self'");
    const api = JSON.parse((await get('/admin/queues/api/queues')).text) as {
      queues: { name: string; readOnlyMode: boolean }[];
    };
    expect(api.queues.map((queue) => queue.name).sort()).toEqual(Object.values(QUEUE_NAMES).sort());
    expect(api.queues.find((queue) => queue.name === 'dead-letter')?.readOnlyMode).toBe(true);
  });

  it('refuses writes another site triggers, allows its own', async () => {
    const results = world.host.context.queues.results;
    for (const headers of [
      { 'sec-fetch-site': 'cross-site' } as Record<string, string>,
      { 'sec-fetch-site': 'same-site' },
      { origin: 'http://evil.example' },
    ]) {
      const answer = await get('/admin/queues/api/queues/results/pause', {
        method: 'PUT',
        headers,
      });
      expect(answer.status, JSON.stringify(headers)).toBe(403);
    }
    expect(await results.isPaused()).toBe(false);
    const own = await get('/admin/queues/api/queues/results/pause', {
      method: 'PUT',
      headers: { 'sec-fetch-site': 'same-origin', origin: world.baseUrl },
    });
    expect(own.status).toBe(200);
    expect(await results.isPaused()).toBe(true);
    await results.resume();
  });
});

describe('no secret on any page', () => {
  it('shows no password, API token, signing key or answer token anywhere', async () => {
    expect(world.tokens.length).toBeGreaterThanOrEqual(2);
    const paths = [
      '/admin/',
      `/admin/?requestId=${world.requestId}`,
      '/admin/?outcome=accepted',
      `/admin/requests/${world.requestId}`,
      `/admin/requests/${world.hostileRequestId}`,
      '/admin/queues',
      '/admin/queues/api/redis/stats',
    ];
    for (const queue of ['send', 'inbound', 'update', 'results', 'dead-letter']) {
      for (const status of ['latest', 'waiting', 'completed', 'failed', 'active']) {
        paths.push(`/admin/queues/api/queues?activeQueue=${queue}&status=${status}&page=1`);
      }
    }
    const inboundJobs = await world.host.context.queues.inbound.getJobs(['waiting']);
    expect(inboundJobs.length).toBeGreaterThan(0);
    for (const job of inboundJobs) paths.push(`/admin/queues/api/queues/inbound/${job.id}`);
    const seen: string[] = [];
    for (const path of paths) {
      const answer = await get(path);
      expect(answer.status, path).toBe(200);
      seen.push(answer.text);
      for (const secret of world.secrets) {
        expect(answer.text.toLowerCase(), `${path} shows a secret`).not.toContain(
          secret.toLowerCase(),
        );
      }
      for (const job of inboundJobs) expect(answer.text).not.toContain(job.data.rawBase64);
    }
    // The checks above looked at real content: the tokens' masked form and the job were there.
    expect(seen.join('\n')).toContain('rc-k1-c…(token hidden)');
    expect(seen.join('\n')).toContain('is not shown: it holds answer tokens');
  });
});

describe('RC_ADMIN_PASSWORD in the configuration', () => {
  const base = {
    RC_SIGNING_KEYS: `k1:${'ab'.repeat(24)}`,
    RC_MAILBOX_ADDRESS: 'a@b.example',
    RC_SMTP_HOST: 'smtp.b.example',
  };

  it('is read from RC_ADMIN_PASSWORD_FILE, trimmed', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rc-admin-')), 'admin-password');
    writeFileSync(file, `${ADMIN_PASSWORD}\n`);
    const config = loadConfig({ ...base, RC_ADMIN_PASSWORD_FILE: file }, ['sender']);
    expect(config.adminPassword).toBe(ADMIN_PASSWORD);
  });

  it('refuses one shorter than 12 characters without echoing it', () => {
    let problems: string[] = [];
    try {
      loadConfig({ ...base, RC_ADMIN_PASSWORD: 'short-pw' }, ['sender']);
    } catch (error) {
      problems = error instanceof ConfigError ? error.problems : [];
    }
    expect(problems).toEqual([expect.stringMatching(/^RC_ADMIN_PASSWORD: must be at least 12/)]);
    expect(problems.join('\n')).not.toContain('short-pw');
  });
});
