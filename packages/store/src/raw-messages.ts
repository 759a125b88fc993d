import { randomUUID } from 'node:crypto';
import { RAW_REF_PATTERN } from '@rc/contracts';
import type { Cluster, Redis } from 'ioredis';
import { storeKeys, type StoreKeys } from './keys';
import { RETENTION_AFTER_EXPIRY_MS } from './retention';

/**
 * Messages up to this size ride inside their `inbound` job (base64): the common ~2 KB answer
 * costs no extra Redis round trip. Larger ones are stored once, as bytes, beside the job, which
 * carries a reference: a 20 MB message in a job was its base64 string, the job's JSON and the
 * decoded Buffer again in each service, ~11× its size in one `pnpm start` process.
 */
export const RAW_INLINE_MAX_BYTES = 64 * 1024;

/**
 * How long stored bytes outlive their job at most: what bounds orphans (a poller crash after
 * storing, a duplicate fetch whose job was deduplicated). A message with a final outcome is
 * deleted at once; one dead-lettered as `processing_failed` keeps its bytes for a replay as
 * long as the inbound log keeps its record (the store's retention, 30 days).
 */
export const RAW_MESSAGE_TTL_MS = RETENTION_AFTER_EXPIRY_MS;

/** Large values are written and read in pieces of this size (see put and get). */
const PIECE_BYTES = 1024 * 1024;

export interface RawMessage {
  ref: string;
  bytes: Buffer;
}

/** What the store needs of a BullMQ queue to live beside it: its connection and its prefix. */
export interface QueueLike {
  readonly client: Promise<object>;
  readonly opts: { prefix?: string };
}

/**
 * Raw inbound messages kept by reference (`<prefix>:inbound:raw:<ref>`, binary, no base64).
 * Keys carry the deployment prefix like every store key, so its `{hash-tag}` keeps them in the
 * slot of the job that names them on a Redis Cluster.
 */
export class RawMessageStore {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis | Cluster,
    prefix: string,
    private readonly ttlMs: number = RAW_MESSAGE_TTL_MS,
  ) {
    this.keys = storeKeys(prefix);
  }

  /**
   * The store on the connection and prefix of a queue: the bytes live where the job that names
   * them lives, whichever service holds the queue.
   */
  static async beside(queue: QueueLike): Promise<RawMessageStore> {
    // BullMQ types its client as its own adapter interface; ours are ioredis connections
    // (createQueue in @rc/runtime), as runtime's dead-letter list assumes too.
    const client = (await queue.client) as Redis | Cluster;
    return new RawMessageStore(client, queue.opts.prefix ?? 'bull');
  }

  /**
   * Stores the messages; resolves once Redis acknowledged all of them. NX: stored bytes never
   * change while a verifier may be reading them in ranges (a message fetched twice is stored
   * once; its expiry is renewed). Messages up to a piece are written in one tick, so a batch of
   * them costs one round trip. A larger one is written piece by piece (ioredis copies a Buffer
   * argument into the command it writes: whole, that was one more copy of the message) into a
   * staging key that is renamed into place once complete, so a reader never sees a part.
   */
  async put(messages: readonly RawMessage[]): Promise<void> {
    const small = messages.filter(({ bytes }) => bytes.length <= PIECE_BYTES);
    await Promise.all(
      small.flatMap(({ ref, bytes }) => {
        const key = this.keys.rawMessage(checkedRef(ref));
        return [
          this.redis.set(key, bytes, 'PX', this.ttlMs, 'NX'),
          this.redis.pexpire(key, this.ttlMs),
        ];
      }),
    );
    for (const message of messages)
      if (message.bytes.length > PIECE_BYTES) await this.putInPieces(message);
  }

  private async putInPieces({ ref, bytes }: RawMessage): Promise<void> {
    const key = this.keys.rawMessage(checkedRef(ref));
    // a crash part-way leaves a staging key that its expiry removes
    const staging = this.keys.rawMessageStaging(ref, randomUUID());
    await this.redis.set(staging, bytes.subarray(0, PIECE_BYTES), 'PX', this.ttlMs);
    for (let start = PIECE_BYTES; start < bytes.length; start += PIECE_BYTES)
      await this.redis.setrange(staging, start, bytes.subarray(start, start + PIECE_BYTES));
    // In order, one round trip: into place unless stored before (NX), then the staging copy
    // goes if it is still there, and the expiry of what is in place is renewed.
    await Promise.all([
      this.redis.renamenx(staging, key),
      this.redis.unlink(staging),
      this.redis.pexpire(key, this.ttlMs),
    ]);
  }

  /**
   * The bytes as one Buffer (never a string), or null when they are gone. A large value is read
   * in ranges into one Buffer of its size: read whole, ioredis' reply parser assembles it in a
   * pool three times its size (and the Buffer it returns keeps that pool alive).
   */
  async get(ref: string): Promise<Buffer | null> {
    const key = this.keys.rawMessage(checkedRef(ref));
    const length = await this.redis.strlen(key);
    if (length <= PIECE_BYTES) return this.redis.getBuffer(key);
    const raw = Buffer.allocUnsafe(length);
    const ranges: Promise<number>[] = [];
    for (let start = 0; start < length; start += PIECE_BYTES) {
      const end = Math.min(start + PIECE_BYTES, length) - 1;
      ranges.push(this.redis.getrangeBuffer(key, start, end).then((part) => part.copy(raw, start)));
    }
    const copied = (await Promise.all(ranges)).reduce((sum, bytes) => sum + bytes, 0);
    // deleted while read (a final outcome elsewhere): as gone as before the read
    return copied === length ? raw : null;
  }

  /** UNLINK: Redis frees a large value off its main thread. */
  async delete(ref: string): Promise<void> {
    await this.redis.unlink(this.keys.rawMessage(checkedRef(ref)));
  }
}

function checkedRef(ref: string): string {
  if (!RAW_REF_PATTERN.test(ref)) throw new Error(`not a raw message reference: ${ref}`);
  return ref;
}
