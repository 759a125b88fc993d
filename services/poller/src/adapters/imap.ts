import { CodedError } from '@rc/contracts';
import { ImapFlow, type ImapFlowOptions } from 'imapflow';
import type { OAuth2TokenManager } from '@rc/microsoft';
import type { Logger } from '@rc/runtime';
import { connectError } from './imap-connect-error';
import { imapFlowOptions, type ImapSourceConfig, type ImapSourceOptions } from './imap-options';
import { pickBatch } from './imap-batch';
import { UidValidity } from './imap-uid-validity';
import { DEFAULT_IMAP_LIVENESS, probeLiveness, withMailChecks } from './imap-liveness';
import type { FetchedMessage, MailboxSource, PendingMessage } from './mailbox-source';

/** UIDs as an IMAP sequence set ("4,7,9"); the server handles the whole batch in one command. */
function uidSet(ids: string[]): string {
  return ids.join(',');
}

/** What XOAUTH2 needs of the process's shared token manager (@rc/microsoft). */
export type ImapOAuth2Tokens = Pick<OAuth2TokenManager, 'getAccessToken' | 'invalidate' | 'status'>;

export type { ImapSourceConfig, ImapSourceOptions } from './imap-options';

/**
 * `oauth2Tokens` is required with RC_IMAP_AUTH=oauth2: imapflow takes an access token per
 * connection and has no refresh hook, so a refused token is invalidated and the sync loop's
 * reconnect logs in with a fresh one.
 */
export function createImapSource(
  config: ImapSourceConfig,
  logger: Logger,
  oauth2Tokens?: ImapOAuth2Tokens,
  options: ImapSourceOptions = {},
): MailboxSource {
  const { imap } = config;
  // RC_OAUTH2_* may be there for SMTP alone: RC_IMAP_AUTH decides for IMAP.
  const tokens = imap.auth === 'oauth2' ? oauth2Tokens : undefined;
  if (imap.auth === 'oauth2' && !tokens)
    throw new CodedError('RC_IMAP_AUTH=oauth2 needs the RC_OAUTH2_* settings', 'CONFIG_INVALID');
  let client: ImapFlow | undefined;
  let lastError: Error | undefined;
  /** the access token of the login in progress, invalidated if the server refuses it */
  let offeredToken: string | undefined;
  const validity = new UidValidity(imap.folder, logger);
  /** true while the connection sits in IDLE (entered by `watch`), false while a sync uses it */
  let watching = false;
  let stopProbing: () => void = () => undefined;
  /** the highest UID the previous listing saw: anything above it arrived since (fresh mail) */
  let highestListed: number | undefined;
  const liveness = withMailChecks({ ...DEFAULT_IMAP_LIVENESS, ...options.liveness }, imap);

  async function authOptions(): Promise<ImapFlowOptions['auth']> {
    if (!tokens) return { user: imap.user, pass: imap.password ?? '' };
    offeredToken = await tokens.getAccessToken();
    return { user: imap.user, accessToken: offeredToken };
  }

  function requireClient(): ImapFlow {
    if (!client?.usable)
      throw new CodedError(
        `IMAP connection is not usable${lastError ? `: ${lastError.message}` : ''}`,
        'MAILBOX_UNAVAILABLE',
      );
    return client;
  }

  /** The connection, for a batch's UIDs: only while they still name the listed messages. */
  function requireListedUids(): ImapFlow {
    const connection = requireClient();
    validity.assertUnchanged();
    watching = false;
    return connection;
  }

  function enterIdle(): void {
    const connection = client;
    if (!connection?.usable) return;
    watching = true;
    connection.idle().catch((error: unknown) => {
      logger.debug(
        { err: error instanceof Error ? error.message : String(error) },
        'imap idle ended with an error',
      );
    });
  }

  async function openFolder(connection: ImapFlow): Promise<bigint | undefined> {
    const after = config.afterProcessing;
    if (after.kind === 'move') {
      // MOVE into a missing folder fails with [TRYCREATE] (RFC 3501 6.4.7) on every sync, so the
      // folder is created up front; imapflow treats [ALREADYEXISTS] (RFC 5530) as success.
      await connection.mailboxCreate(after.folder).catch((error: unknown) => {
        logger.warn(
          { folder: after.folder, err: error instanceof Error ? error.message : String(error) },
          'imap cannot create the move folder',
        );
      });
    }
    return (await connection.mailboxOpen(imap.folder)).uidValidity;
  }

  return {
    kind: 'imap',
    name: `${imap.user}/${imap.folder}`,

    async connect(onNewMail, onClose) {
      const connection = new ImapFlow(
        imapFlowOptions(config, await authOptions(), options, logger),
      );
      connection.on('error', (error: Error) => {
        lastError = error;
        logger.warn({ err: error.message }, 'imap connection error');
      });
      connection.on('exists', () => onNewMail());
      connection.on('close', () => {
        stopProbing();
        onClose(lastError);
      });
      let opened: bigint | undefined;
      try {
        await connection.connect();
        opened = await openFolder(connection);
      } catch (error) {
        // A login that worked but a folder that did not would otherwise leave a live connection
        // that nothing holds (`client` is unset) and that no close() reaches.
        connection.close();
        const coded = connectError(error, `${imap.user} at ${imap.host}:${imap.port}`);
        if (coded.code === 'AUTH_FAILED' && offeredToken) tokens?.invalidate(offeredToken);
        throw coded;
      }
      client = connection;
      lastError = undefined;
      validity.opened(opened);
      highestListed = undefined;
      stopProbing = probeLiveness(connection, liveness, {
        idle: () => watching && client === connection,
        resumeIdle: enterIdle,
        dead: (reason) => {
          lastError = new Error(reason);
          logger.warn({ err: reason }, 'imap connection is dead, reconnecting');
        },
      });
    },

    async list(limit) {
      const connection = requireClient();
      watching = false;
      validity.listed();
      const uids = ((await connection.search({ all: true }, { uid: true })) || []).sort(
        (a, b) => a - b,
      );
      const { take, backlog } = pickBatch(uids, limit, highestListed);
      highestListed = Math.max(highestListed ?? 0, uids.at(-1) ?? 0);
      if (take.length === 0) return [];
      const pending: PendingMessage[] = [];
      for await (const message of connection.fetch(
        uidSet(take.map(String)),
        { uid: true, size: true },
        { uid: true },
      )) {
        const uid = message.uid;
        pending.push({ id: String(uid), size: message.size ?? 0, backlog: backlog.has(uid) });
      }
      return pending.sort((a, b) => Number(a.id) - Number(b.id));
    },

    async fetch(messages, maxBytes) {
      const connection = requireListedUids();
      const fetched: FetchedMessage[] = [];
      const whole = messages.filter((message) => message.size <= maxBytes);
      const huge = messages.filter((message) => message.size > maxBytes);
      if (whole.length > 0) {
        for await (const message of connection.fetch(
          uidSet(whole.map((m) => m.id)),
          { uid: true, size: true, source: true, internalDate: true },
          { uid: true },
        )) {
          if (!message.source) continue;
          fetched.push({
            id: String(message.uid),
            size: message.size ?? message.source.length,
            source: message.source,
            truncated: false,
            arrivedAt: toDate(message.internalDate),
          });
        }
      }
      if (huge.length > 0) {
        // Only the header section travels for an oversized message: enough to record who sent
        // what, without pulling megabytes into Redis.
        for await (const message of connection.fetch(
          uidSet(huge.map((m) => m.id)),
          { uid: true, size: true, headers: true, internalDate: true },
          { uid: true },
        )) {
          fetched.push({
            id: String(message.uid),
            size: message.size ?? 0,
            source: message.headers ?? Buffer.alloc(0),
            truncated: true,
            arrivedAt: toDate(message.internalDate),
          });
        }
      }
      return fetched;
    },

    async remove(ids) {
      if (ids.length === 0) return;
      const connection = requireListedUids();
      // imapflow reports a refused MOVE or STORE/EXPUNGE by resolving false, not by throwing; a
      // silent failure would leave the mail in place and re-queue it on every sync (a full batch
      // would even loop at once), so it fails the sync instead.
      if (config.afterProcessing.kind === 'move') {
        const moved = await connection.messageMove(uidSet(ids), config.afterProcessing.folder, {
          uid: true,
        });
        if (!moved)
          throw new CodedError(
            `IMAP MOVE to ${config.afterProcessing.folder} failed; the messages stay in ${imap.folder}`,
            'MAILBOX_UNAVAILABLE',
          );
      } else {
        // STORE \Deleted then UID EXPUNGE (RFC 4315) where supported, so only these go.
        const deleted = await connection.messageDelete(uidSet(ids), { uid: true });
        if (!deleted)
          throw new CodedError(
            `IMAP delete failed; the messages stay in ${imap.folder}`,
            'MAILBOX_UNAVAILABLE',
          );
      }
    },

    watch: enterIdle,

    // EXISTS as the server last reported it (RFC 3501 7.3.1): kept current by imapflow, free.
    waitingCount: () => (client?.usable && client.mailbox ? client.mailbox.exists : undefined),

    async check() {
      const status = tokens?.status();
      if (status && !status.ok)
        throw new CodedError(
          `OAuth2 token refresh failing: ${status.message ?? status.errorCode ?? 'unknown error'}`,
          'OAUTH2_REFRESH_FAILED',
        );
      requireClient();
    },

    async close() {
      const connection = client;
      client = undefined;
      stopProbing();
      if (!connection) return;
      try {
        await connection.logout();
      } catch {
        connection.close();
      }
    },
  };
}

function toDate(value: Date | string | undefined): Date | undefined {
  if (!value) return undefined;
  const date = value instanceof Date ? value : new Date(value);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
