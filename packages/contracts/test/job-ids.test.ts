import { startRedis, type RedisServer } from '@rc/testkit';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_IDS, requestIdSchema } from '../src/index';

/** Every job id made from a requestId, as its producers make them. */
function idsFor(requestId: string): string[] {
  return [
    JOB_IDS.request(requestId),
    JOB_IDS.update(requestId),
    JOB_IDS.result(requestId),
    JOB_IDS.confirmationNotice(requestId),
    JOB_IDS.timer('remind', requestId),
    JOB_IDS.decidedNotice(requestId, 'bob@corp.example'),
    JOB_IDS.reassign(requestId, 'ab12'),
    JOB_IDS.deadLetter('update', JOB_IDS.update(requestId)),
  ];
}

let redis: RedisServer;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('JOB_IDS', () => {
  it('BullMQ takes every id made from a requestId with a colon, as the public pattern allows', async () => {
    const requestId = 'release:42';
    expect(requestIdSchema.safeParse(requestId).success).toBe(true);
    const queue = new Queue('ids', { connection: { host: '127.0.0.1', port: redis.port } });
    try {
      for (const jobId of idsFor(requestId)) {
        const job = await queue.add('x', {}, { jobId });
        expect(job.id).toBe(jobId);
      }
    } finally {
      await queue.close();
    }
  });

  it('keeps requests whose ids differ only by a colon apart', () => {
    const others = new Set(idsFor('release-42'));
    for (const id of idsFor('release:42')) expect(others.has(id)).toBe(false);
  });
});
