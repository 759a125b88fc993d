import { sendGraphError, sendItemNotFound } from './graph-errors';
import { messageResource } from './graph-mailbox';
import type { GraphRequest } from './graph-request';
import { sendJson } from './http-util';

/** Graph's delta page size when the client does not send `Prefer: odata.maxpagesize`. */
const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 1000;

/** What a state token remembers: where the last round ended, and (paging) where this one ends. */
interface DeltaState {
  epoch: number;
  folderId: string;
  /** changes after this one are reported */
  since: number;
  /** changes up to this one belong to the round being paged (skip tokens only) */
  until?: number;
  offset?: number;
  changeType?: string;
  select?: string;
}

function encode(state: DeltaState): string {
  return Buffer.from(JSON.stringify(state)).toString('base64url');
}

function decode(token: string): DeltaState | undefined {
  try {
    return JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as DeltaState;
  } catch {
    return undefined;
  }
}

function pageSize(prefer: string | string[] | undefined): number {
  const value = (Array.isArray(prefer) ? prefer.join(',') : (prefer ?? '')).match(
    /odata\.maxpagesize\s*=\s*(\d+)/i,
  );
  return Math.min(MAX_PAGE_SIZE, Math.max(1, Number(value?.[1] ?? DEFAULT_PAGE_SIZE)));
}

/**
 * `GET …/mailFolders/{folder}/messages/delta` (learn.microsoft.com/graph/delta-query-messages):
 * a first round lists the folder, later rounds only what arrived (created) and what left
 * (`@removed`). Query options of the first request travel inside the state tokens, as in Graph.
 */
export function handleMessageDelta(r: GraphRequest, folderKey: string): void {
  const folder = r.mailbox.folder(folderKey);
  if (!folder) {
    sendItemNotFound(r.req, r.res);
    return;
  }
  const query = r.url.searchParams;
  const token = query.get('$skiptoken') ?? query.get('$deltatoken');
  const state: DeltaState | undefined = token
    ? decode(token)
    : {
        epoch: r.mailbox.syncEpoch,
        folderId: folder.id,
        since: 0,
        ...(query.get('changeType') ? { changeType: query.get('changeType') ?? '' } : {}),
        ...(query.get('$select') ? { select: query.get('$select') ?? '' } : {}),
      };
  if (!state || state.folderId !== folder.id) {
    sendGraphError(r.req, r.res, 400, 'ErrorInvalidUrlQuery', 'The state token is not valid.');
    return;
  }
  if (state.epoch !== r.mailbox.syncEpoch) {
    sendGraphError(
      r.req,
      r.res,
      410,
      'SyncStateNotFound',
      'The sync state generation is not found. Resync from scratch.',
    );
    return;
  }
  const until = state.until ?? r.mailbox.change;
  const wants = (kind: string): boolean =>
    !state.changeType || state.changeType.split(',').includes(kind);
  const select = state.select?.split(',').map((s) => s.trim());
  const created = r.mailbox
    .list(folder.id)
    .filter((m) => m.arrivedAt > state.since && m.arrivedAt <= until && wants('created'))
    .map((m) => {
      const resource = messageResource(m, r.immutableIds);
      if (!select) return resource;
      return Object.fromEntries(
        ['@odata.etag', 'id', ...select].map((name) => [name, resource[name]]),
      );
    });
  // A first round starts from an empty store: there is nothing it could have removed.
  const removed =
    state.since === 0
      ? []
      : r.mailbox.removals
          .filter(
            (x) =>
              x.folderId === folder.id &&
              x.change > state.since &&
              x.change <= until &&
              wants('deleted'),
          )
          .map((x) => ({
            '@odata.type': '#microsoft.graph.message',
            id: r.immutableIds ? x.immutableId : x.id,
            '@removed': { reason: 'deleted' },
          }));
  const all = [...created, ...removed];
  const offset = state.offset ?? 0;
  const size = pageSize(r.req.headers.prefer);
  const page = all.slice(offset, offset + size);
  const link = new URL(
    `${r.baseUrl}/users/${encodeURIComponent(r.mailbox.user)}/mailFolders/${encodeURIComponent(folderKey)}/messages/delta`,
  );
  const body: Record<string, unknown> = {
    '@odata.context': `${r.baseUrl}/$metadata#Collection(message)`,
    value: page,
  };
  if (offset + size < all.length) {
    link.searchParams.set('$skiptoken', encode({ ...state, until, offset: offset + size }));
    body['@odata.nextLink'] = link.toString();
  } else {
    const next: DeltaState = { ...state, since: until };
    delete next.until;
    delete next.offset;
    link.searchParams.set('$deltatoken', encode(next));
    body['@odata.deltaLink'] = link.toString();
  }
  sendJson(r.res, 200, body);
}
