import { sanitizeAttachment, type Attachment, type SendRequestJob } from '@rc/contracts';
import type { TimerStore } from '@rc/store';
import type { MailAttachment } from './adapters/mail-transport';

/**
 * Where a request's attachments live: once in Redis beside the request (TimerStore), never in
 * every job that emails it. The HTTP intake stores them and queues the job without them; a Node
 * engine's client puts them in its job, and the sender stores them from there on its first
 * attempt. Either way the emails (the request, and an escalation's) read that one copy.
 */
export async function requestAttachments(
  job: SendRequestJob,
  timerStore: TimerStore | undefined,
  expiresAt: string,
): Promise<MailAttachment[]> {
  const { requestId, attachments = [] } = job.request;
  if (!timerStore) return mailAttachmentsOf(attachments);
  await timerStore.saveAttachments({ requestId, expiresAt }, attachments);
  return mailAttachmentsOf(await timerStore.attachments(requestId));
}

/** The bytes, decoded once per email; names and types sanitised (again: it is idempotent). */
export function mailAttachmentsOf(files: readonly Attachment[]): MailAttachment[] {
  return files.map(sanitizeAttachment).map((file) => ({
    filename: file.filename,
    contentType: file.contentType,
    content: Buffer.from(file.contentBase64, 'base64'),
  }));
}

/**
 * The job the intake queues: the attachments stay out of it (they are in the store already),
 * so a 2 MiB request does not sit in Redis twice, nor in a dead letter or a replay.
 */
export function withoutAttachments(job: SendRequestJob): SendRequestJob {
  if (!job.request.attachments) return job;
  const { attachments: _stored, ...request } = job.request;
  return { ...job, request };
}
