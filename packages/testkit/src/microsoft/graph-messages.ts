import { sendGraphError, sendItemNotFound } from './graph-errors';
import { messageResource, type StoredMessage } from './graph-mailbox';
import type { GraphRequest } from './graph-request';
import { readJson, sendEmpty, sendJson } from './http-util';

const MAX_TOP = 1000;
const DEFAULT_TOP = 10;

type Comparison = 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le';
interface Clause {
  property: string;
  op: Comparison;
  value: string;
}

/** `$filter` as far as mail pollers use it: `receivedDateTime ge 2024-…Z and isRead eq false`. */
function parseFilter(filter: string): Clause[] | undefined {
  const clauses: Clause[] = [];
  for (const part of filter.split(/\s+and\s+/i)) {
    const match = /^\s*(\w+)\s+(eq|ne|gt|ge|lt|le)\s+'?([^']*?)'?\s*$/i.exec(part);
    if (!match) return undefined;
    clauses.push({
      property: match[1] ?? '',
      op: (match[2] ?? 'eq').toLowerCase() as Comparison,
      value: match[3] ?? '',
    });
  }
  return clauses;
}

function compare(actual: string, op: Comparison, expected: string): boolean {
  const order = actual.localeCompare(expected);
  return {
    eq: order === 0,
    ne: order !== 0,
    gt: order > 0,
    ge: order >= 0,
    lt: order < 0,
    le: order <= 0,
  }[op];
}

function matches(message: StoredMessage, clauses: Clause[]): boolean {
  return clauses.every((c) => {
    if (c.property === 'receivedDateTime') {
      const expected = new Date(c.value).toISOString().replace(/\.\d{3}Z$/, 'Z');
      return compare(message.receivedDateTime, c.op, expected);
    }
    // Nothing here is ever read, so isRead is false for every message.
    if (c.property === 'isRead') return compare('false', c.op, c.value);
    return true;
  });
}

function project(
  resource: Record<string, unknown>,
  select: string[] | undefined,
): Record<string, unknown> {
  if (!select) return resource;
  const projected: Record<string, unknown> = { '@odata.etag': resource['@odata.etag'] };
  for (const name of ['id', ...select]) projected[name] = resource[name];
  return projected;
}

/** `GET …/mailFolders/{folder}/messages` with `$top`, `$skip`, `$select`, `$orderby`, `$filter`. */
export function listMessages(r: GraphRequest, folderKey: string): void {
  const folder = r.mailbox.folder(folderKey);
  if (!folder) {
    sendItemNotFound(r.req, r.res);
    return;
  }
  const query = r.url.searchParams;
  const top = Number(query.get('$top') ?? DEFAULT_TOP);
  const skip = Number(query.get('$skip') ?? 0);
  if (!Number.isInteger(top) || top < 1 || !Number.isInteger(skip) || skip < 0) {
    sendGraphError(r.req, r.res, 400, 'BadRequest', "Invalid value for '$top' or '$skip'.");
    return;
  }
  const orderBy = query.get('$orderby')?.trim();
  const orderMatch = orderBy ? /^receivedDateTime(?:\s+(asc|desc))?$/i.exec(orderBy) : null;
  if (orderBy && !orderMatch) {
    sendGraphError(r.req, r.res, 400, 'BadRequest', `Unsupported $orderby '${orderBy}'.`);
    return;
  }
  const filterText = query.get('$filter');
  const clauses = filterText ? parseFilter(filterText) : [];
  if (!clauses) {
    sendGraphError(r.req, r.res, 400, 'BadRequest', `Invalid filter clause '${filterText}'.`);
    return;
  }
  // Outlook refuses a sort whose property is not also the first one filtered on.
  if (orderBy && clauses.length > 0 && clauses[0]?.property !== 'receivedDateTime') {
    sendGraphError(
      r.req,
      r.res,
      400,
      'InefficientFilter',
      'The restriction or sort order is too complex for this operation.',
    );
    return;
  }
  let all = r.mailbox.list(folder.id).filter((m) => matches(m, clauses));
  // Without $orderby Outlook lists newest first.
  if (!orderMatch || orderMatch[1]?.toLowerCase() === 'desc') all = all.reverse();
  const pageSize = Math.min(top, MAX_TOP);
  const page = all.slice(skip, skip + pageSize);
  const select = query
    .get('$select')
    ?.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const body: Record<string, unknown> = {
    '@odata.context': `${r.baseUrl}/$metadata#users('${encodeURIComponent(r.mailbox.user)}')/mailFolders('${folderKey}')/messages`,
    value: page.map((m) => project(messageResource(m, r.immutableIds), select)),
  };
  if (skip + pageSize < all.length) {
    const next = new URL(r.url.toString());
    next.searchParams.set('$skip', String(skip + pageSize));
    body['@odata.nextLink'] = next.toString();
  }
  sendJson(r.res, 200, body);
}

function findMessage(r: GraphRequest, id: string): StoredMessage | undefined {
  const message = r.mailbox.find(id);
  if (!message) {
    sendItemNotFound(r.req, r.res);
  }
  return message;
}

/** `…/messages/{id}`, `…/messages/{id}/$value` and `…/messages/{id}/move`. */
export async function handleMessage(r: GraphRequest, id: string, action?: string): Promise<void> {
  const message = findMessage(r, id);
  if (!message) return;
  const method = r.req.method ?? 'GET';
  if (action === undefined && method === 'GET') {
    const select = r.url.searchParams
      .get('$select')
      ?.split(',')
      .map((s) => s.trim());
    sendJson(r.res, 200, project(messageResource(message, r.immutableIds), select));
  } else if (action === undefined && method === 'DELETE') {
    r.mailbox.delete(message);
    sendEmpty(r.res, 204);
  } else if (action === '$value' && method === 'GET') {
    r.res.writeHead(200, {
      'content-type': 'text/plain',
      'content-length': message.raw.length,
    });
    r.res.end(message.raw);
  } else if (action === 'move' && method === 'POST') {
    const body = (await readJson(r.req)) as { destinationId?: unknown };
    const destination =
      typeof body.destinationId === 'string' ? r.mailbox.folder(body.destinationId) : undefined;
    if (!destination) {
      sendGraphError(r.req, r.res, 400, 'ErrorInvalidIdMalformed', 'Id is malformed.');
      return;
    }
    const moved = r.mailbox.move(message, destination);
    sendJson(r.res, 201, messageResource(moved, r.immutableIds));
  } else {
    sendGraphError(r.req, r.res, 405, 'ErrorInvalidRequest', `${method} is not supported here.`);
  }
}
