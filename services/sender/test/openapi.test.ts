import { randomBytes } from 'node:crypto';
import { createLogger, loadConfig, startHost, type Host } from '@rc/runtime';
import { InboundLog, RequestStore } from '@rc/store';
import {
  createApiClient,
  startMailStack,
  startRedis,
  type ApiResponse,
  type MailStack,
  type RedisServer,
} from '@rc/testkit';
import express, { type Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// The poller's Graph routes share the API port in `pnpm start`: the document must match them too.
import { notificationRouter } from '@rc/poller';
import { startSender } from '../src/index';
import { apiRoutes } from '../src/openapi/api-routes';
import { openApiDocument, openApiPath } from '../src/openapi/openapi-document';
import { checkJsonSchema } from './json-schema-check';

/**
 * GET /openapi.json against the sender's real HTTP port (real Redis, real SMTP): every mounted
 * route is documented, and every documented route answers, to valid and invalid input alike,
 * with a documented status and a body its documented schema accepts.
 */

const API_TOKEN = 'openapi-test-token-0123456789';
let redis: RedisServer;
let stack: MailStack;
let host: Host;
let baseUrl: string;
let doc: any;

beforeAll(async () => {
  [redis, stack] = await Promise.all([startRedis(), startMailStack()]);
  const env = {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: `oa${randomBytes(4).toString('hex')}`,
    RC_SMTP_HOST: stack.smtp.host,
    RC_SMTP_PORT: String(stack.smtp.port),
    RC_SMTP_SECURITY: 'none',
    RC_MAILBOX_ADDRESS: 'approvals@rc.example',
    RC_SIGNING_KEYS: `k1:${'78'.repeat(24)}`,
    RC_API_TOKEN: API_TOKEN,
    RC_ADMIN_PASSWORD: 'openapi-admin-password',
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
  };
  host = await startHost(loadConfig(env, ['sender']), [(c) => startSender(c)], 'openapi-test');
  baseUrl = `http://127.0.0.1:${host.http.port}`;
  doc = (await fetch(`${baseUrl}/openapi.json`).then((response) => response.json())) as any;
});

afterAll(async () => {
  await host?.close();
  await Promise.allSettled([stack?.stop(), redis?.stop()]);
});

interface Layer {
  /** the path a router or middleware was mounted at (`router.use('/admin', …)`) */
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/** `GET /path` for every route of an express app or router, through mounted routers. */
function mountedRoutes(stack: Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      return Object.keys(layer.route.methods)
        .filter((method) => method !== '_all')
        .map((method) => `${method.toUpperCase()} ${prefix}${layer.route!.path}`);
    }
    const mountedAt =
      typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    return layer.handle?.stack ? mountedRoutes(layer.handle.stack, `${prefix}${mountedAt}`) : [];
  });
}

function documentedRoutes(document: any): string[] {
  return Object.entries(document.paths as Record<string, object>).flatMap(([path, operations]) =>
    Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`),
  );
}

/** The answer against the documented schema of its status; the problems, none when it fits. */
function undocumented(
  document: any,
  method: string,
  path: string,
  answer: ApiResponse,
  text?: string,
) {
  const operation = document.paths[path]?.[method.toLowerCase()];
  const response = operation?.responses?.[String(answer.status)];
  if (!response) return [`${method} ${path}: status ${answer.status} is not documented`];
  const contentType = (answer.headers.get('content-type') ?? '').split(';')[0] ?? '';
  const content = response.content?.[contentType];
  if (!response.content) return text ? [`${method} ${path}: a body where none is documented`] : [];
  if (!content) return [`${method} ${path}: ${contentType} is not documented`];
  return checkJsonSchema(content.schema, text ?? answer.json).map((p) => `${method} ${path}: ${p}`);
}

const api = (method: string, path: string, body?: unknown, token?: string | null) =>
  createApiClient(baseUrl, API_TOKEN)(method, path, body, token);

describe('GET /openapi.json', () => {
  it('is OpenAPI 3.1 with the bearer scheme, served without a token', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ scheme: 'bearer' });
    expect(doc.paths['/v1/dead-letters'].get.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths['/healthz'].get.security).toEqual([]);
    const body = doc.paths['/v1/completion-requests'].post.requestBody.content['application/json'];
    expect(body.schema.required).toEqual(expect.arrayContaining(['taskId', 'title', 'assignees']));
  });

  it('documents every route the API port serves, and nothing it does not (admin pages aside)', () => {
    const app = host.http.app as Express & { router: { stack: Layer[] } };
    const mounted = mountedRoutes(app.router.stack)
      .filter((route) => !/ \/admin(\/|$)/.test(route))
      .map((route) => route.replace(/:([A-Za-z0-9_]+)/g, '{$1}'));
    expect(new Set(mounted)).toEqual(new Set(documentedRoutes(doc)));
  });
});

describe('every documented route answers as documented', () => {
  it('operations: /healthz, /readyz, /metrics, /openapi.json', async () => {
    const problems: string[] = [];
    for (const path of ['/healthz', '/readyz', '/openapi.json']) {
      const answer = await api('GET', path, undefined, null);
      expect(answer.status, path).toBe(200);
      problems.push(...undocumented(doc, 'GET', path, answer));
    }
    const metrics = await fetch(`${baseUrl}/metrics`);
    const text = await metrics.text();
    const answer = { status: metrics.status, json: undefined, headers: metrics.headers };
    problems.push(...undocumented(doc, 'GET', '/metrics', answer, text));
    expect(problems).toEqual([]);
  });

  it('completion requests, the inbound log and dead letters, with valid and invalid input', async () => {
    const { redis: connection, config, queues } = host.context;
    const store = new RequestStore(connection, config.queuePrefix);
    const requestId = `oa-${randomBytes(3).toString('hex')}`;
    const input = {
      taskId: 'Applications/Release1/Phase2/Task3',
      title: 'Approve production deploy',
      assignees: [{ email: 'alice@corp.example', name: 'Alice' }],
      requestId,
    };
    // a decided request, for the 409 of a cancel
    const decidedId = `oa-decided-${randomBytes(3).toString('hex')}`;
    await api('POST', '/v1/completion-requests', { ...input, requestId: decidedId });
    const decided = (await store.getStored(decidedId))!;
    await store.claimDecision(decided, {
      action: 'complete',
      actor: 'alice@corp.example',
      inboundId: 'oa-inbound',
      decidedAt: new Date().toISOString(),
    });
    await new InboundLog(connection, config.queuePrefix).record({
      inboundId: 'oa-inbound',
      outcome: 'rejected',
      reason: 'expired',
      from: 'alice@corp.example',
      subject: 'Re: Approve',
      messageId: '<a@corp.example>',
      requestId: decidedId,
      taskId: 'Task3',
      action: null,
      receivedAt: new Date().toISOString(),
      decidedAt: new Date().toISOString(),
    });
    // a dead letter that can be replayed (results has no worker here) and one that cannot
    await queues.deadLetter.add(
      'dead-letter',
      {
        queue: 'results',
        jobId: `result-${requestId}`,
        name: 'task.completed',
        data: {
          event: 'task.completed',
          requestId,
          taskId: 'Task3',
          actor: { email: 'alice@corp.example', name: 'Alice' },
          comment: '',
          respondedAt: new Date().toISOString(),
          messageId: '<m@corp.example>',
        },
        error: 'the engine is down',
        code: 'ENGINE_UNAVAILABLE',
        attempts: 3,
        failedAt: new Date().toISOString(),
      },
      { jobId: `results-result-${requestId}` },
    );
    await queues.deadLetter.add(
      'dead-letter',
      {
        queue: 'update',
        jobId: 'broken',
        name: 'update',
        data: { requestId },
        error: 'x',
        failedAt: new Date().toISOString(),
      },
      { jobId: 'update-broken' },
    );

    const calls: [string, string, string, unknown?, (string | null)?][] = [
      // [method, documented path, actual path, body, token]
      ['POST', '/v1/completion-requests', '/v1/completion-requests', input],
      ['POST', '/v1/completion-requests', '/v1/completion-requests', { ...input, assignees: [] }],
      ['POST', '/v1/completion-requests', '/v1/completion-requests', '{"taskId":'],
      ['POST', '/v1/completion-requests', '/v1/completion-requests', input, null],
      ['GET', '/v1/completion-requests/{requestId}', `/v1/completion-requests/${requestId}`],
      ['GET', '/v1/completion-requests/{requestId}', `/v1/completion-requests/${decidedId}`],
      ['GET', '/v1/completion-requests/{requestId}', '/v1/completion-requests/nope'],
      ['GET', '/v1/completion-requests/{requestId}', '/v1/completion-requests/x', undefined, 'bad'],
      ['DELETE', '/v1/completion-requests/{requestId}', `/v1/completion-requests/${requestId}`],
      ['DELETE', '/v1/completion-requests/{requestId}', `/v1/completion-requests/${decidedId}`],
      ['DELETE', '/v1/completion-requests/{requestId}', '/v1/completion-requests/nope'],
      [
        'DELETE',
        '/v1/completion-requests/{requestId}',
        '/v1/completion-requests/x',
        undefined,
        null,
      ],
      ['GET', '/v1/inbound', '/v1/inbound?outcome=rejected&limit=5'],
      ['GET', '/v1/inbound', '/v1/inbound?limit=0'],
      ['GET', '/v1/inbound', '/v1/inbound', undefined, null],
      ['GET', '/v1/dead-letters', '/v1/dead-letters'],
      ['GET', '/v1/dead-letters', '/v1/dead-letters?queue=nope'],
      ['GET', '/v1/dead-letters', '/v1/dead-letters', undefined, null],
      [
        'POST',
        '/v1/dead-letters/{id}/replay',
        `/v1/dead-letters/results-result-${requestId}/replay`,
      ],
      [
        'POST',
        '/v1/dead-letters/{id}/replay',
        `/v1/dead-letters/results-result-${requestId}/replay`,
      ],
      ['POST', '/v1/dead-letters/{id}/replay', '/v1/dead-letters/update-broken/replay'],
      ['POST', '/v1/dead-letters/{id}/replay', '/v1/dead-letters/nope/replay'],
      ['POST', '/v1/dead-letters/{id}/replay', '/v1/dead-letters/x/replay?force=1'],
      ['POST', '/v1/dead-letters/{id}/replay', '/v1/dead-letters/x/replay', undefined, null],
    ];
    const problems: string[] = [];
    const statuses: string[] = [];
    for (const [method, documented, actual, body, token] of calls) {
      const answer = await api(method, actual, body, token);
      statuses.push(`${method} ${actual.split('?')[0]} ${answer.status}`);
      problems.push(...undocumented(doc, method, documented, answer));
    }
    expect(problems).toEqual([]);
    // each documented status of these routes was seen at least once
    const seen = new Set(calls.map(([m, d], i) => `${m} ${d} ${statuses[i]!.split(' ').at(-1)}`));
    const expected = calls.flatMap(([method, documented]) =>
      Object.keys(doc.paths[documented][method.toLowerCase()].responses).map(
        (status) => `${method} ${documented} ${status}`,
      ),
    );
    expect([...new Set(expected)].filter((status) => !seen.has(status))).toEqual([]);
  });
});

describe('Microsoft Graph notifications, when the poller serves them on this port', () => {
  const config = loadConfig(
    {
      RC_MAILBOX_ADDRESS: 'approvals@contoso.example',
      RC_MAILBOX_SOURCE: 'graph',
      RC_GRAPH_TENANT_ID: 'contoso.onmicrosoft.com',
      RC_GRAPH_CLIENT_ID: '00000000-0000-0000-0000-000000000000',
      RC_GRAPH_CLIENT_SECRET: 'graph-secret',
      RC_GRAPH_NOTIFICATION_URL: 'https://rc.contoso.example/v1/graph/notifications',
      RC_SIGNING_KEYS: `k1:${'78'.repeat(24)}`,
    },
    ['poller'],
  );
  const graphDoc: any = openApiDocument(apiRoutes(config), '1');
  const router = notificationRouter(
    { clientState: () => 'state', onChange: () => undefined, onLifecycle: () => undefined },
    createLogger({ service: 'openapi-test', level: 'silent' }),
  );

  it('documents exactly the routes the poller mounts, without a bearer token', () => {
    const mounted = mountedRoutes((router as unknown as { stack: Layer[] }).stack);
    const graphPaths = documentedRoutes(graphDoc).filter((route) => route.includes('/graph/'));
    expect(new Set(mounted.map((route) => route.replace(/:(\w+)/g, '{$1}')))).toEqual(
      new Set(graphPaths),
    );
    for (const route of apiRoutes(config).filter((r) => r.path.includes('/graph/')))
      expect(graphDoc.paths[openApiPath(route.path)].post.security).toEqual([]);
  });

  it('answers the handshake and a notification as documented', async () => {
    const app = express().use(router);
    const server = app.listen(0);
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const problems: string[] = [];
      for (const path of ['/v1/graph/notifications', '/v1/graph/notifications/lifecycle']) {
        const handshake = await fetch(`${base}${path}?validationToken=abc%20def`, {
          method: 'POST',
        });
        const token = await handshake.text();
        expect(token).toBe('abc def');
        problems.push(
          ...undocumented(
            graphDoc,
            'POST',
            path,
            { json: undefined, status: handshake.status, headers: handshake.headers },
            token,
          ),
        );
        const body = {
          value: [{ subscriptionId: 's', clientState: 'state', lifecycleEvent: 'missed' }],
        };
        const notified = await createApiClient(base, null)('POST', path, body);
        expect(notified.status).toBe(202);
        problems.push(...undocumented(graphDoc, 'POST', path, notified));
      }
      expect(problems).toEqual([]);
    } finally {
      server.close();
    }
  });
});
