import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './http-util';

/**
 * Graph's error JSON (learn.microsoft.com/graph/errors): `{"error": {code, message, innerError}}`
 * where innerError carries the request id a support case asks for.
 */
export function sendGraphError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const requestId = randomUUID();
  const clientRequestId = req.headers['client-request-id'];
  sendJson(
    res,
    status,
    {
      error: {
        code,
        message,
        innerError: {
          date: new Date().toISOString().replace(/\.\d{3}Z$/, ''),
          'request-id': requestId,
          'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId,
        },
      },
    },
    { 'request-id': requestId, ...headers },
  );
}

export function sendItemNotFound(req: IncomingMessage, res: ServerResponse): void {
  sendGraphError(
    req,
    res,
    404,
    'ErrorItemNotFound',
    'The specified object was not found in the store.',
  );
}
