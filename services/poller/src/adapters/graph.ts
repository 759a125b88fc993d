import { CodedError, errorCodeOf } from '@rc/contracts';
import { graphPath, GraphRequestError, sharedGraphClient } from '@rc/microsoft';
import type { CoreConfig, GraphConfig, Logger, PollerConfig } from '@rc/runtime';
import { moveFolderOf } from './graph-folders';
import { notificationRouter } from './graph-notifications';
import { GraphSubscription, type SubscriptionTiming } from './graph-subscription';
import type { FetchedMessage, MailboxSource, PendingMessage } from './mailbox-source';

/** The parts of the configuration the Graph source reads. */
export type GraphSourceConfig = GraphConfig &
  Pick<PollerConfig, 'afterProcessing'> &
  Pick<CoreConfig, 'tlsCaFile' | 'mailDebug'>;

export interface GraphSourceOptions {
  /** without RC_GRAPH_NOTIFICATION_URL: how often the folder is listed (default 2 s) */
  pollIntervalMs?: number;
  /** `$top` of one page of the message list (default 100; the batch may span pages) */
  pageSize?: number;
  subscription?: Partial<SubscriptionTiming>;
}

/**
 * Two seconds keeps pickup within seconds at 300 list requests per 10 minutes — 3 % of
 * Outlook's 10,000 per app and mailbox, with room for the sender on the same mailbox.
 */
const DEFAULT_POLL_INTERVAL_MS = 2_000;
const DEFAULT_PAGE_SIZE = 100;

interface ListedMessage {
  id: string;
  receivedDateTime?: string;
}

/**
 * RC_MAILBOX_SOURCE=graph: RC_GRAPH_FOLDER of RC_GRAPH_USER through Microsoft Graph with an
 * app-only token. Every call goes through @rc/microsoft's per-mailbox client (≤ 4 in flight,
 * Retry-After for the whole mailbox, one token renewal on 401, immutable ids), shared with the
 * sender in `pnpm start`. New mail is announced by change notifications when
 * RC_GRAPH_NOTIFICATION_URL is set, else the folder is polled every few seconds.
 */
export function createGraphSource(
  config: GraphSourceConfig,
  logger: Logger,
  options: GraphSourceOptions = {},
): MailboxSource {
  const graph = config.graph;
  if (!graph)
    throw new CodedError('RC_MAILBOX_SOURCE=graph needs the RC_GRAPH_* settings', 'CONFIG_INVALID');
  const { client } = sharedGraphClient({
    graph,
    tlsCaFile: config.tlsCaFile,
    trace: config.mailDebug ? logger.child({ protocol: 'graph' }) : undefined,
  });
  const { user, folder, notificationUrl } = graph;
  const pageSize = Math.min(options.pageSize ?? DEFAULT_PAGE_SIZE, 1000);
  const after = config.afterProcessing;
  const moveFolder = after.kind === 'move' ? moveFolderOf(client, user, after.folder) : undefined;
  const arrivals = new Map<string, Date>();
  let subscription: GraphSubscription | undefined;
  let announce: () => void = () => undefined;
  /** the last failure that makes the mailbox unusable (credentials, permissions, reachability) */
  let failure: Error | undefined;

  /** Readiness follows the last call; a change is logged once, not on every retry. */
  async function tracked<T>(work: () => Promise<T>): Promise<T> {
    try {
      const result = await work();
      if (failure) logger.info({ mailbox: user }, 'graph mailbox reachable again');
      failure = undefined;
      return result;
    } catch (error) {
      // Throttling is the provider working as documented, not a broken mailbox.
      if (errorCodeOf(error) !== 'PROVIDER_THROTTLED') {
        const line = error instanceof Error ? error.message : String(error);
        if (failure?.message !== line) logger.warn({ code: errorCodeOf(error) }, line);
        failure = error instanceof Error ? error : new Error(line);
      }
      throw error;
    }
  }

  const source: MailboxSource = {
    kind: 'graph',
    name: `${user}/${folder}`,
    pollIntervalMs: notificationUrl
      ? undefined
      : (options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS),
    routers: notificationUrl
      ? [
          notificationRouter(
            {
              clientState: () => subscription?.clientState,
              onChange: () => announce(),
              onLifecycle: (event, id) => subscription?.onLifecycle(event, id),
            },
            logger,
          ),
        ]
      : undefined,

    async connect(onNewMail) {
      // One cheap call proves the token, the permissions and the folder before the first sync.
      await tracked(() =>
        client.getJson(`${graphPath`/users/${user}/mailFolders/${folder}`}?$select=id`),
      );
      announce = onNewMail;
      if (notificationUrl && !subscription) {
        subscription = new GraphSubscription({
          client,
          user,
          folder,
          notificationUrl,
          logger,
          resync: () => announce(),
          timing: options.subscription,
        });
        subscription.start();
      }
    },

    list: (limit) => tracked(() => listOldest(limit)),

    async fetch(messages, maxBytes) {
      const fetched = await Promise.all(messages.map((message) => download(message, maxBytes)));
      return fetched.filter((message): message is FetchedMessage => message !== undefined);
    },

    async remove(ids) {
      const results = await Promise.allSettled(ids.map((id) => removeOne(id)));
      for (const id of ids) arrivals.delete(id);
      const failed = results.find((result) => result.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
    },

    watch() {
      // Notifications arrive on their own; without them the sync loop polls.
    },

    async check() {
      if (failure) throw failure;
    },

    async close() {
      const closing = subscription;
      subscription = undefined;
      await closing?.close();
    },
  };

  async function listOldest(limit: number): Promise<PendingMessage[]> {
    const top = Math.max(1, Math.min(limit, pageSize));
    const first = `${graphPath`/users/${user}/mailFolders/${folder}/messages`}?$orderby=receivedDateTime&$select=id,receivedDateTime&$top=${top}`;
    const pending: PendingMessage[] = [];
    // Each nextLink is followed as Graph gave it (it carries its own $skip or skip token).
    for await (const page of client.pages<ListedMessage>(first)) {
      for (const message of page.value) {
        if (pending.length >= limit) break;
        const arrived = message.receivedDateTime ? new Date(message.receivedDateTime) : undefined;
        if (arrived && !Number.isNaN(arrived.getTime())) arrivals.set(message.id, arrived);
        // Graph lists no size: it is known once `$value` is downloaded.
        pending.push({ id: message.id, size: 0 });
      }
      if (pending.length >= limit) break;
    }
    return pending;
  }

  /**
   * The message's MIME, the bytes IMAP would give. Graph lists no size and has no ranges on
   * `$value`: a message over the limit is read only up to the limit (the download is cancelled
   * there) and cut to its header section; its size is the one the answer declared.
   */
  async function download(
    message: PendingMessage,
    maxBytes: number,
  ): Promise<FetchedMessage | undefined> {
    let bytes: Buffer;
    let declared: number;
    try {
      const response = await client.request<Buffer>({
        path: graphPath`/users/${user}/messages/${message.id}/$value`,
        responseType: 'bytes',
        maxBytes,
      });
      bytes = response.body ?? Buffer.alloc(0);
      declared = Number(response.headers.get('content-length') ?? NaN);
    } catch (error) {
      // Gone since the list: another poller took it (and queued it under the same id).
      if (isGone(error)) return undefined;
      throw error;
    }
    const truncated = bytes.length > maxBytes;
    return {
      id: message.id,
      // cut short: the declared length, or at least what was read
      size: truncated && declared > bytes.length ? declared : bytes.length,
      source: truncated ? headerSection(bytes, maxBytes) : bytes,
      truncated,
      arrivedAt: arrivals.get(message.id),
      sourceId: message.id,
    };
  }

  async function removeOne(id: string): Promise<void> {
    try {
      if (moveFolder) {
        await client.request({
          method: 'POST',
          path: graphPath`/users/${user}/messages/${id}/move`,
          json: { destinationId: await moveFolder.id() },
        });
      } else {
        await client.request({ method: 'DELETE', path: graphPath`/users/${user}/messages/${id}` });
      }
    } catch (error) {
      // The folder may have been deleted or renamed: look it up again next time.
      moveFolder?.forget();
      if (!isGone(error)) throw error;
    }
  }

  return source;
}

function isGone(error: unknown): boolean {
  return error instanceof GraphRequestError && error.status === 404;
}

/** The header section (up to and including the empty line), never more than `maxBytes`. */
function headerSection(bytes: Buffer, maxBytes: number): Buffer {
  const crlf = bytes.indexOf('\r\n\r\n');
  const lf = bytes.indexOf('\n\n');
  const ends = [crlf === -1 ? -1 : crlf + 4, lf === -1 ? -1 : lf + 2].filter((end) => end > 0);
  const end = ends.length > 0 ? Math.min(...ends) : maxBytes;
  return bytes.subarray(0, Math.min(end, maxBytes));
}
