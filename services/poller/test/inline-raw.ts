import type { InboundJob } from '@rc/contracts';

/**
 * The bytes of a job that carries its message inline (every message these tests queue is under
 * RAW_INLINE_MAX_BYTES); a job that names stored bytes instead fails the test here.
 */
export function inlineRaw(job: Pick<InboundJob, 'rawBase64' | 'rawRef'>): Buffer {
  if (job.rawBase64 === undefined) throw new Error(`job stores its message apart (${job.rawRef})`);
  return Buffer.from(job.rawBase64, 'base64');
}
