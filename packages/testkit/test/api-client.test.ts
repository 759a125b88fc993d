import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiClient } from '../src/index';

/** Echoes what it was sent; `/text` answers in plain text, `/empty` with no body at all. */
let server: Server;
let baseUrl: string;

async function bodyOf(request: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of request) body += String(chunk);
  return body;
}

beforeAll(async () => {
  server = createServer(async (request, response) => {
    const body = await bodyOf(request);
    if (request.url === '/text') return response.writeHead(503).end('Service Unavailable');
    if (request.url === '/empty') return response.writeHead(204).end();
    response.writeHead(200, { 'content-type': 'application/json', 'x-seen': 'yes' });
    response.end(
      JSON.stringify({
        method: request.method,
        url: request.url,
        authorization: request.headers.authorization ?? null,
        body,
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});

describe('createApiClient', () => {
  const api = () => createApiClient(baseUrl, 'client-token');

  it('sends the bearer token and the body as JSON, and parses a JSON answer', async () => {
    const response = await api()('POST', '/v1/things?x=1', { taskId: 'T1' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-seen')).toBe('yes');
    expect(response.json).toEqual({
      method: 'POST',
      url: '/v1/things?x=1',
      authorization: 'Bearer client-token',
      body: '{"taskId":"T1"}',
    });
  });

  it('sends a string body as it is (junk for the intake), and no body when there is none', async () => {
    expect((await api()('POST', '/', '{not json')).json.body).toBe('{not json');
    expect((await api()('GET', '/')).json.body).toBe('');
  });

  it('lets one call use another token, or none', async () => {
    expect((await api()('GET', '/', undefined, 'other')).json.authorization).toBe('Bearer other');
    expect((await api()('GET', '/', undefined, null)).json.authorization).toBeNull();
    expect((await createApiClient(baseUrl, null)('GET', '/')).json.authorization).toBeNull();
  });

  it('keeps a body that is not JSON as text, and an empty one as undefined', async () => {
    expect(await api()('GET', '/text')).toMatchObject({ status: 503, json: 'Service Unavailable' });
    expect(await api()('GET', '/empty')).toMatchObject({ status: 204, json: undefined });
  });
});
