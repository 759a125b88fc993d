import { randomBytes } from 'node:crypto';
import { inboundJobSchema, type InboundJob } from '@rc/contracts';
import { loadConfig, PermanentJobError, startHost, type Host } from '@rc/runtime';
import { InboundLog, RawMessageStore, storeKeys } from '@rc/store';
import { dkimRecord, dkimWorld, rsaKey, startRedis, type RedisServer } from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVerifier } from '../src/index';
import { recordProcessingFailure, verifyInbound } from '../src/process';
import { buttonAnswer, createHarness, inboundJob, MAILBOX, type Harness } from './harness';

/**
 * Large messages reach the verifier by reference (`rawRef`): it reads the stored bytes as one
 * Buffer, verifies them like inline ones (DKIM included), deletes them once the message has its
 * final outcome, keeps them for a replay after `processing_failed`, and turns bytes that are
 * gone into a coded permanent failure that is recorded, never into a parse of nothing.
 */

let server: RedisServer;
let h: Harness;
let raws: RawMessageStore;
const hosts: Host[] = [];

beforeAll(async () => {
  server = await startRedis();
  h = await createHarness(server);
  raws = new RawMessageStore(h.redis, h.prefix);
});
afterAll(async () => {
  await Promise.allSettled(hosts.map((host) => host.close()));
  await h?.close();
  await server?.stop();
});

/** An answer with a ~300 KB attachment: over RAW_INLINE_MAX_BYTES, as the poller stores it. */
function largeAnswer(from: string, token: string): string {
  const attachment = randomBytes(220_000).toString('base64').replace(/.{76}/g, '$&\r\n');
  const answer = buttonAnswer({ from, token });
  const [head = '', body = ''] = answer.split('\r\n\r\n', 2);
  return (
    head.replace(/Content-Type: [^\r]*/, 'Content-Type: multipart/mixed; boundary="att"') +
    `\r\n\r\n--att\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${body}\r\n` +
    `--att\r\nContent-Type: application/octet-stream; name="logs.bin"\r\n` +
    `Content-Transfer-Encoding: base64\r\n\r\n${attachment}\r\n--att--\r\n`
  );
}

/** The job as the poller queues a large message: its bytes stored, the job naming them. */
async function byReference(raw: string | Buffer, store = raws): Promise<InboundJob> {
  const { rawBase64, ...job } = inboundJob(raw);
  await store.put([{ ref: job.inboundId, bytes: Buffer.from(rawBase64!, 'base64') }]);
  return { ...job, rawRef: job.inboundId };
}

const stored = (job: InboundJob) => h.redis.exists(storeKeys(h.prefix).rawMessage(job.rawRef!));

describe('a message by reference', () => {
  it('is verified from the stored bytes, and they go once it has its outcome', async () => {
    const from = 'alice@corp.example';
    const { request, tokens } = await h.request([{ email: from }]);
    const job = await byReference(largeAnswer(from, tokens.get(from)!.complete));
    expect(inboundJobSchema.safeParse(job).success).toBe(true);
    expect(await stored(job)).toBe(1);
    // the default store: beside the queues (the update queue's connection and prefix)
    const record = await verifyInbound(job, h.deps());
    expect(record).toMatchObject({ outcome: 'accepted', requestId: request.requestId });
    expect((await h.updates()).some((u) => u.requestId === request.requestId)).toBe(true);
    expect(await stored(job)).toBe(0);
  });

  it('passes DKIM: the stored bytes are the signed bytes', async () => {
    const world = dkimWorld();
    const rsa = rsaKey();
    world.publish('big._domainkey.corp.example', dkimRecord(rsa.publicKey));
    const from = 'dkim-alice@corp.example';
    const { tokens } = await h.request([{ email: from }]);
    const signed = await world.sign(largeAnswer(from, tokens.get(from)!.complete), {
      domain: 'corp.example',
      selector: 'big',
      key: rsa.privateKey,
    });
    const deps = h.deps({ settings: { verifyDkim: true }, dnsResolver: world.resolver });
    expect(await verifyInbound(await byReference(signed), deps)).toMatchObject({
      outcome: 'accepted',
    });
    const tampered = signed.replace('Looks good.', 'Looks bad.');
    expect(await verifyInbound(await byReference(tampered), deps)).toMatchObject({
      outcome: 'rejected',
      reason: 'dmarc_fail',
    });
  });

  it('bytes that are gone fail the job for good, with a code, and record nothing yet', async () => {
    const job = await byReference(largeAnswer('gone@corp.example', 'rc-k1-x-y'));
    await raws.delete(job.rawRef!);
    const failure = await verifyInbound(job, h.deps()).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(PermanentJobError);
    expect(failure).toMatchObject({ code: 'PAYLOAD_INVALID' });
    expect((failure as Error).message).toContain(job.rawRef);
    expect(await h.inboundLog.outcomeOf(job.inboundId)).toBeNull();
  });

  it('keeps its bytes after processing_failed, for the replay that verifies it again', async () => {
    const from = 'replayed@corp.example';
    const { tokens } = await h.request([{ email: from }]);
    const job = await byReference(largeAnswer(from, tokens.get(from)!.complete));
    await recordProcessingFailure(h.inboundLog, job, 'worker crashed', 'JOB_STALLED');
    expect(await stored(job)).toBe(1);
    const replayed = await verifyInbound(job, h.deps());
    expect(replayed.outcome).toBe('accepted');
    expect(await stored(job)).toBe(0);
  });

  it('a retry of a message with an outcome returns it and lets the bytes go', async () => {
    const from = 'retried@corp.example';
    const { tokens } = await h.request([{ email: from }]);
    const job = await byReference(largeAnswer(from, tokens.get(from)!.complete));
    const first = await verifyInbound(job, h.deps());
    // a duplicate fetch stored the bytes again before its job was deduplicated
    await raws.put([{ ref: job.rawRef!, bytes: Buffer.alloc(70_000, 1) }]);
    expect(await stored(job)).toBe(1);
    expect(await verifyInbound(job, h.deps())).toEqual(first);
    expect(await stored(job)).toBe(0);
  });

  it('the contract wants exactly one of rawBase64 and rawRef, and a plain id as rawRef', () => {
    const job = inboundJob('From: a@corp.example\r\n\r\nhi');
    expect(inboundJobSchema.safeParse(job).success).toBe(true);
    expect(inboundJobSchema.safeParse({ ...job, rawRef: job.inboundId }).success).toBe(false);
    const { rawBase64: _dropped, ...bare } = job;
    expect(inboundJobSchema.safeParse(bare).success).toBe(false);
    expect(inboundJobSchema.safeParse({ ...bare, rawRef: '../other' }).success).toBe(false);
  });
});

describe('the verifier service, bytes gone', () => {
  it('dead-letters the job and records processing_failed with its code', async () => {
    const host = await startHost(
      loadConfig(
        {
          RC_REDIS_URL: server.url,
          RC_QUEUE_PREFIX: `{vr${randomBytes(3).toString('hex')}}`,
          RC_MAILBOX_ADDRESS: MAILBOX,
          RC_SIGNING_KEYS: `k1:${'ef'.repeat(24)}`,
          RC_HTTP_PORT: '0',
          RC_LOG_LEVEL: 'silent',
        },
        ['verifier'],
      ),
      [(context) => startVerifier(context)],
      'verifier-raw-test',
    );
    hosts.push(host);
    const { config, queues, redis } = host.context;
    const log = new InboundLog(redis, config.queuePrefix);
    const { rawBase64: _dropped, ...bare } = inboundJob('From: a@corp.example\r\n\r\nhi');
    const job: InboundJob = { ...bare, rawRef: bare.inboundId }; // never stored
    await queues.inbound.add('inbound', job, { jobId: job.inboundId });
    const deadline = Date.now() + 15_000;
    while ((await log.outcomeOf(job.inboundId)) === null && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 25));
    const [record] = (await log.query({ limit: 10, reason: 'processing_failed' })).filter(
      (item) => item.inboundId === job.inboundId,
    );
    expect(record?.detail).toMatch(/^PAYLOAD_INVALID: the raw message \w+ is no longer in Redis/);
    const letters = await queues.deadLetter.getJobs(['waiting']);
    expect(letters.map((letter) => letter.data)).toEqual([
      expect.objectContaining({ queue: 'inbound', jobId: job.inboundId, code: 'PAYLOAD_INVALID' }),
    ]);
  });
});
