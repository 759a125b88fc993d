import { CodedError } from '@rc/contracts';
import { graphPath, GraphRequestError, type GraphClient } from '@rc/microsoft';

interface MailFolder {
  id: string;
  displayName: string;
}

/**
 * The folder of RC_AFTER_PROCESSING=move:<name>, found by display name among the mailbox's
 * top-level folders (beside the Inbox, where IMAP's CREATE puts it too) and created when
 * missing. Its id is remembered until `forget()` (a move that failed: the folder may be gone).
 */
export function moveFolderOf(
  client: GraphClient,
  user: string,
  displayName: string,
): { id(): Promise<string>; forget(): void } {
  let folderId: Promise<string> | undefined;

  async function find(): Promise<string | undefined> {
    // OData string literals escape a quote by doubling it.
    const filter = `displayName eq '${displayName.replace(/'/g, "''")}'`;
    const page = await client.getJson<{ value?: MailFolder[] }>(
      `${graphPath`/users/${user}/mailFolders`}?$filter=${encodeURIComponent(filter)}&$select=id,displayName`,
    );
    const wanted = displayName.toLowerCase();
    return page.value?.find((folder) => folder.displayName.toLowerCase() === wanted)?.id;
  }

  async function findOrCreate(): Promise<string> {
    const existing = await find();
    if (existing) return existing;
    try {
      const { body } = await client.request<MailFolder>({
        method: 'POST',
        path: graphPath`/users/${user}/mailFolders`,
        json: { displayName },
      });
      if (body?.id) return body.id;
    } catch (error) {
      // 409 ErrorFolderExists: another poller created it between our lookup and our POST.
      if (!(error instanceof GraphRequestError && error.status === 409)) throw error;
    }
    const created = await find();
    if (created) return created;
    throw new CodedError(
      `Graph: the folder "${displayName}" of RC_AFTER_PROCESSING cannot be found or created`,
      'MAILBOX_UNAVAILABLE',
    );
  }

  return {
    id() {
      folderId ??= findOrCreate().catch((error: unknown) => {
        folderId = undefined;
        throw error;
      });
      return folderId;
    },
    forget() {
      folderId = undefined;
    },
  };
}
