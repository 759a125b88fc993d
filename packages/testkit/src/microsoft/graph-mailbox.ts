import { randomBytes } from 'node:crypto';
import { addressesIn, bodyOf, graphAddresses, readHeaders } from './mime-headers';

/** Graph's well-known folder names (mailFolder resource type), matched case-insensitively. */
const WELL_KNOWN_FOLDERS: Record<string, string> = {
  inbox: 'Inbox',
  deleteditems: 'Deleted Items',
  sentitems: 'Sent Items',
  drafts: 'Drafts',
  junkemail: 'Junk Email',
  archive: 'Archive',
  outbox: 'Outbox',
};

export interface MailFolder {
  id: string;
  displayName: string;
  parentFolderId: string;
  wellKnownName?: string;
}

export interface StoredMessage {
  /** the default (store) id: it changes when the message moves to another folder */
  id: string;
  /** `Prefer: IdType="ImmutableId"`: stays the same across moves */
  immutableId: string;
  folderId: string;
  raw: Buffer;
  receivedDateTime: string;
  changeKey: string;
  /** put() order: the tie-breaker when two messages share a receivedDateTime */
  sequence: number;
  /** change number of its arrival in the current folder (delta queries) */
  arrivedAt: number;
}

/** A message that left a folder (moved or deleted), as delta reports it. */
export interface Removal {
  change: number;
  folderId: string;
  id: string;
  immutableId: string;
}

/** Opaque, case-sensitive, base64-looking ids like Exchange's (`AAMkAG…`). */
function newId(prefix: string): string {
  return `${prefix}${randomBytes(24).toString('base64').replace(/\//g, '-').replace(/\+/g, '_')}=`;
}

/** Graph trims milliseconds off receivedDateTime. */
function graphTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** One Exchange mailbox in memory: folders and the raw MIME of every message. */
export class GraphMailbox {
  readonly folders = new Map<string, MailFolder>();
  readonly messages = new Map<string, StoredMessage>();
  private readonly rootId = newId('AAMkAGRoot');
  private sequence = 0;
  /** increases on every arrival and removal; delta tokens remember where they were */
  change = 0;
  readonly removals: Removal[] = [];
  /** bumped by expireDeltaTokens(): older delta tokens answer 410 SyncStateNotFound */
  syncEpoch = 0;
  /** called for every message that lands in a folder (put, move, delivery) */
  onArrival: (message: StoredMessage) => void = () => undefined;

  constructor(readonly user: string) {
    for (const [wellKnownName, displayName] of Object.entries(WELL_KNOWN_FOLDERS)) {
      const id = newId('AAMkAGFolder');
      this.folders.set(id, { id, displayName, parentFolderId: this.rootId, wellKnownName });
    }
  }

  /** A folder by id or well-known name (case-insensitive), as Graph resolves `{folder}`. */
  folder(idOrName: string): MailFolder | undefined {
    const byId = this.folders.get(idOrName);
    if (byId) return byId;
    const name = idOrName.toLowerCase();
    if (name === 'msgfolderroot') {
      return { id: this.rootId, displayName: 'Top of Information Store', parentFolderId: '' };
    }
    return [...this.folders.values()].find((f) => f.wellKnownName === name);
  }

  childFolders(parentId: string): MailFolder[] {
    return [...this.folders.values()].filter((f) => f.parentFolderId === parentId);
  }

  /** Undefined when a sibling already has that display name (Graph: ErrorFolderExists). */
  createFolder(parentId: string, displayName: string): MailFolder | undefined {
    const taken = this.childFolders(parentId).some(
      (f) => f.displayName.toLowerCase() === displayName.toLowerCase(),
    );
    if (taken) return undefined;
    const id = newId('AAMkAGFolder');
    const folder = { id, displayName, parentFolderId: parentId };
    this.folders.set(id, folder);
    return folder;
  }

  put(raw: Buffer | string, receivedAt: Date = new Date(), folder = 'inbox'): StoredMessage {
    const target = this.folder(folder);
    if (!target) throw new Error(`no folder ${folder} in ${this.user}`);
    const message: StoredMessage = {
      id: newId('AAMkAGMsg'),
      immutableId: newId('AAkALgAAImm'),
      folderId: target.id,
      raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
      receivedDateTime: graphTime(receivedAt),
      changeKey: newId('CQAAAB'),
      sequence: this.sequence++,
      arrivedAt: ++this.change,
    };
    this.messages.set(message.immutableId, message);
    this.onArrival(message);
    return message;
  }

  /** Looks a message up by either of its ids; ids are case-sensitive. */
  find(id: string): StoredMessage | undefined {
    return this.messages.get(id) ?? [...this.messages.values()].find((m) => m.id === id);
  }

  /** Oldest first by default, then by arrival order. */
  list(folder: string): StoredMessage[] {
    const target = this.folder(folder);
    if (!target) return [];
    return [...this.messages.values()]
      .filter((m) => m.folderId === target.id)
      .sort(
        (a, b) => a.receivedDateTime.localeCompare(b.receivedDateTime) || a.sequence - b.sequence,
      );
  }

  /** A move makes a new item in the destination: a new store id, the same immutable id. */
  move(message: StoredMessage, destination: MailFolder): StoredMessage {
    this.recordRemoval(message);
    message.arrivedAt = ++this.change;
    message.folderId = destination.id;
    message.id = newId('AAMkAGMsg');
    message.changeKey = newId('CQAAAB');
    this.onArrival(message);
    return message;
  }

  /** Graph's DELETE moves a message to Deleted Items; from there it is gone. */
  delete(message: StoredMessage): void {
    const deletedItems = this.folder('deleteditems');
    if (!deletedItems || message.folderId === deletedItems.id) {
      this.recordRemoval(message);
      this.messages.delete(message.immutableId);
      return;
    }
    this.move(message, deletedItems);
  }

  private recordRemoval(message: StoredMessage): void {
    const { folderId, id, immutableId } = message;
    this.removals.push({ change: ++this.change, folderId, id, immutableId });
  }
}

/** The message resource (the subset of properties this fake reports). */
export function messageResource(
  message: StoredMessage,
  immutable: boolean,
): Record<string, unknown> {
  const headers = readHeaders(message.raw);
  const body = bodyOf(message.raw);
  const from = graphAddresses(headers.get('from'))[0];
  return {
    '@odata.etag': `W/"${message.changeKey}"`,
    id: immutable ? message.immutableId : message.id,
    createdDateTime: message.receivedDateTime,
    lastModifiedDateTime: message.receivedDateTime,
    changeKey: message.changeKey,
    receivedDateTime: message.receivedDateTime,
    sentDateTime: message.receivedDateTime,
    hasAttachments: /multipart\/mixed/i.test(headers.get('content-type') ?? ''),
    internetMessageId: headers.get('message-id') ?? null,
    subject: headers.get('subject') ?? '',
    bodyPreview: body.replace(/\s+/g, ' ').trim().slice(0, 255),
    importance: 'normal',
    parentFolderId: message.folderId,
    conversationId: message.immutableId.slice(0, 20),
    isRead: false,
    isDraft: false,
    body: { contentType: 'text', content: body },
    sender: from ?? null,
    from: from ?? null,
    toRecipients: graphAddresses(headers.get('to')),
    ccRecipients: graphAddresses(headers.get('cc')),
    bccRecipients: [],
    replyTo: graphAddresses(headers.get('reply-to')),
  };
}

export function recipientsOf(raw: Buffer): string[] {
  const headers = readHeaders(raw);
  return ['to', 'cc', 'bcc'].flatMap((name) => addressesIn(headers.get(name)));
}
