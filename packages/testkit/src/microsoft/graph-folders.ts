import { sendGraphError, sendItemNotFound } from './graph-errors';
import type { MailFolder } from './graph-mailbox';
import type { GraphRequest } from './graph-request';
import { readJson, sendJson } from './http-util';

function folderResource(r: GraphRequest, folder: MailFolder): Record<string, unknown> {
  const messages = r.mailbox.list(folder.id);
  return {
    id: folder.id,
    displayName: folder.displayName,
    parentFolderId: folder.parentFolderId,
    childFolderCount: r.mailbox.childFolders(folder.id).length,
    unreadItemCount: messages.length,
    totalItemCount: messages.length,
    isHidden: false,
    ...(folder.wellKnownName ? { wellKnownName: folder.wellKnownName } : {}),
  };
}

/** `$filter=displayName eq 'Processed'`, the one filter folder lookups need. */
function displayNameFilter(r: GraphRequest): string | undefined {
  const filter = r.url.searchParams.get('$filter');
  if (!filter) return undefined;
  const match = /^\s*displayName\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filter);
  return match ? (match[1] ?? '').replace(/''/g, "'") : undefined;
}

/**
 * `GET/POST /users/{id}/mailFolders` (children of the root) and
 * `GET/POST /users/{id}/mailFolders/{folder}/childFolders`.
 */
export async function handleFolderCollection(r: GraphRequest, parentKey?: string): Promise<void> {
  const parent = r.mailbox.folder(parentKey ?? 'msgfolderroot');
  if (!parent) {
    sendItemNotFound(r.req, r.res);
    return;
  }
  if (r.req.method === 'POST') {
    const body = (await readJson(r.req)) as { displayName?: unknown };
    if (typeof body.displayName !== 'string' || body.displayName.trim() === '') {
      sendGraphError(r.req, r.res, 400, 'ErrorInvalidRequest', 'displayName is required.');
      return;
    }
    const created = r.mailbox.createFolder(parent.id, body.displayName);
    if (!created) {
      sendGraphError(
        r.req,
        r.res,
        409,
        'ErrorFolderExists',
        'A folder with the specified name already exists.',
      );
      return;
    }
    sendJson(r.res, 201, folderResource(r, created));
    return;
  }
  const name = displayNameFilter(r);
  const folders = r.mailbox
    .childFolders(parent.id)
    .filter((f) => name === undefined || f.displayName.toLowerCase() === name.toLowerCase());
  sendJson(r.res, 200, { value: folders.map((f) => folderResource(r, f)) });
}

export function handleFolder(r: GraphRequest, key: string): void {
  const folder = r.mailbox.folder(key);
  if (!folder) {
    sendItemNotFound(r.req, r.res);
    return;
  }
  sendJson(r.res, 200, folderResource(r, folder));
}
