import type { AuditEvent, InboundOutcome, InboundRecord, RejectionReason } from '@rc/contracts';
import { RedisScript } from '@rc/runtime/redis';
import type { Redis } from 'ioredis';
import { storeKeys, type StoreKeys } from './keys';
import { keepUntil } from './retention';

export interface InboundLogOptions {
  /** entries kept at most (approximately; Redis trims whole stream nodes) */
  maxEntries: number;
  /** entries older than this are trimmed */
  maxAgeMs: number;
}

export interface InboundQuery {
  outcome?: InboundOutcome;
  reason?: RejectionReason | string;
  requestId?: string;
  from?: string;
  limit: number;
}

/** How many entries one query scans at most before it stops filtering (bounds the cost). */
const MAX_SCAN = 50_000;

// One outcome per inbound message: the done-marker is set in the same script that appends the
// log entry, so a verifier retry after a crash cannot record a message twice. The marker holds
// "<outcome> <stream id>", so the record itself can be read back (older markers: the outcome).
// The request's audit event (KEYS[3], if given) is appended in the same step, the first time
// only: a crash can no longer keep the record and lose the event.
const RECORD = new RedisScript<number>(
  'inbound-record',
  `
if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end
local id = redis.call('XADD', KEYS[1], 'MAXLEN', '~', ARGV[2], '*', 'r', ARGV[4])
redis.call('SET', KEYS[2], ARGV[1] .. ' ' .. id, 'PX', ARGV[3])
redis.call('XTRIM', KEYS[1], 'MINID', '~', ARGV[5])
if KEYS[3] then
  redis.call('RPUSH', KEYS[3], ARGV[6])
  redis.call('PEXPIREAT', KEYS[3], ARGV[7])
end
return 1
`,
);

/** The audit event of the request an inbound message named, written with its record. */
export interface RecordAudit {
  request: { requestId: string; expiresAt: string };
  event: AuditEvent;
}

/** The record of what happened to every inbound email: the "why wasn't my email processed?" answer. */
export class InboundLog {
  private readonly keys: StoreKeys;

  constructor(
    private readonly redis: Redis,
    prefix: string,
    private readonly options: InboundLogOptions = {
      maxEntries: 100_000,
      maxAgeMs: 30 * 86_400_000,
    },
  ) {
    this.keys = storeKeys(prefix);
  }

  /**
   * Appends the outcome unless this message already has one, and with it the request's audit
   * event; returns whether it was new.
   */
  async record(entry: InboundRecord, audit?: RecordAudit): Promise<boolean> {
    const keys = [this.keys.inboundLog(), this.keys.inboundDone(entry.inboundId)];
    const args = [
      entry.outcome,
      this.options.maxEntries,
      this.options.maxAgeMs,
      JSON.stringify(entry),
      Date.now() - this.options.maxAgeMs,
    ];
    if (audit) {
      keys.push(this.keys.events(audit.request.requestId));
      args.push(JSON.stringify(audit.event), keepUntil(audit.request));
    }
    return (await RECORD.run(this.redis, keys, args)) === 1;
  }

  async outcomeOf(inboundId: string): Promise<InboundOutcome | null> {
    const marker = await this.redis.get(this.keys.inboundDone(inboundId));
    return marker ? (marker.split(' ')[0] as InboundOutcome) : null;
  }

  /** The recorded outcome of one message; null if none, or if its entry was trimmed already. */
  async recordOf(inboundId: string): Promise<InboundRecord | null> {
    const marker = await this.redis.get(this.keys.inboundDone(inboundId));
    const id = marker?.split(' ')[1];
    if (!id) return null;
    const [entry] = await this.redis.xrange(this.keys.inboundLog(), id, id);
    const json = entry?.[1][1];
    return json ? (JSON.parse(json) as InboundRecord) : null;
  }

  /** Newest first, filtered. */
  async query(query: InboundQuery): Promise<InboundRecord[]> {
    const items: InboundRecord[] = [];
    // XTRIM MINID ~ trims whole stream nodes, so entries just past the age limit can linger;
    // the query stops at the limit itself (stream ids start with their time in ms).
    const cutoff = Date.now() - this.options.maxAgeMs;
    let end = '+';
    let scanned = 0;
    while (items.length < query.limit && scanned < MAX_SCAN) {
      const batch = await this.redis.xrevrange(this.keys.inboundLog(), end, '-', 'COUNT', 500);
      if (batch.length === 0) break;
      for (const [id, fields] of batch) {
        if (Number(id.split('-')[0]) < cutoff) return items;
        end = `(${id}`;
        scanned++;
        const json = fields[1];
        if (!json) continue;
        const entry = JSON.parse(json) as InboundRecord;
        if (query.outcome && entry.outcome !== query.outcome) continue;
        if (query.reason && entry.reason !== query.reason) continue;
        if (query.requestId && entry.requestId !== query.requestId) continue;
        if (query.from && entry.from !== query.from.toLowerCase()) continue;
        items.push(entry);
        if (items.length >= query.limit) break;
      }
      if (batch.length < 500) break;
    }
    return items;
  }
}
