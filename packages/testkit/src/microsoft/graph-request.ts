import type { IncomingMessage, ServerResponse } from 'node:http';
import type { GraphMailbox } from './graph-mailbox';

/** What a Graph route handler gets: the parsed request and the mailbox it addresses. */
export interface GraphRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** path segments after `/v1.0/users/{id}/`, URL-decoded */
  segments: string[];
  mailbox: GraphMailbox;
  /** `Prefer: IdType="ImmutableId"` was sent */
  immutableIds: boolean;
  /** `https://host:port/v1.0` */
  baseUrl: string;
}

export function prefersImmutableIds(req: IncomingMessage): boolean {
  const prefer = req.headers.prefer;
  const values = Array.isArray(prefer) ? prefer : [prefer ?? ''];
  return values.some((v) => /IdType\s*=\s*"?ImmutableId"?/i.test(v));
}

/**
 * Splits `/v1.0/users/{id}/…` into segments, turning OData key syntax (`mailFolders('inbox')`)
 * into plain segments so both spellings route alike.
 */
export function graphPathSegments(pathname: string): string[] {
  return pathname
    .replace(/^\/v1\.0\/?/, '')
    .replace(/\(('?)([^)']*)\1\)/g, '/$2')
    .split('/')
    .filter(Boolean)
    .map((s) => decodeURIComponent(s));
}
