import type { SendJob, SendNoticeJob, SendRequestJob } from '@rc/contracts';
import { metrics, type Config, type Logger, type TypedQueue } from '@rc/runtime';
import { storedRequestFromJob, type RequestStore, type TimerStore } from '@rc/store';
import { OUTBOUND_HEADERS, type MailTransport } from './adapters/mail-transport';
import { requestAttachments } from './attachments';
import { renderNotice } from './render/notice';
import { asJobError, emailUnsentAssignees } from './request-mail';
import { scheduleTimers } from './timers/schedule';

/**
 * What the send processor reads from the configuration. RC_WHITELIST_*: assignees outside it
 * are never emailed, however the request arrived.
 */
export type SenderConfig = Pick<
  Config,
  'keyring' | 'mailboxAddress' | 'mailFrom' | 'requestTtlMs' | 'whitelist'
>;

export interface SenderDeps {
  store: RequestStore;
  transport: MailTransport;
  config: SenderConfig;
  logger: Logger;
  /** reminders, escalation and expiry (timers/), and where attachments are kept; absent: none */
  timers?: { queue: TypedQueue<'timers'>; store: TimerStore };
}

/**
 * Stores the request (a Node engine's job creates it here), schedules its timers, then emails
 * every assignee once. Timers first: a request whose emails keep failing must still expire as
 * it asked to.
 */
async function sendRequestEmails(job: SendRequestJob, deps: SenderDeps): Promise<void> {
  const { config } = deps;
  const incoming = storedRequestFromJob(job, config.requestTtlMs);
  const created = await deps.store.create(incoming);
  // The intake stores an HTTP request before queueing it (and counts it there), so only a job
  // from a Node engine's client creates its request here, on its first attempt alone. A crash
  // between the create and this line leaves that one request uncounted; it is never counted twice.
  if (created === 'created' && job.channel !== 'http')
    metrics.requestsCreated.inc({ channel: 'queue' });
  const record = await deps.store.get(incoming.requestId);
  if (!record) throw new Error(`request ${incoming.requestId} vanished after creation`);
  if (record.status !== 'pending') {
    deps.logger.info(
      { requestId: record.requestId, status: record.status },
      'request no longer pending, not emailing',
    );
    return;
  }
  if (deps.timers) await scheduleTimers(record, deps.timers.queue);
  const attachments = await requestAttachments(job, deps.timers?.store, record.expiresAt);
  await emailUnsentAssignees(record, record.assignees, deps, { kind: 'request', attachments });
}

/** A notice, rendered here from the facts its producer queued, threaded under the answer. */
async function sendNotice(job: SendNoticeJob, deps: SenderDeps): Promise<void> {
  const kind = job.notice.type;
  const rendered = renderNotice(job.notice);
  try {
    await deps.transport.send({
      from: deps.config.mailFrom,
      to: { address: job.to },
      subject: rendered.subject,
      text: rendered.text,
      inReplyTo: job.inReplyTo,
      references: job.inReplyTo ? [job.inReplyTo] : undefined,
      headers: { ...OUTBOUND_HEADERS, 'X-Remote-Completion': kind },
    });
  } catch (error) {
    metrics.emailsSent.inc({ kind, result: 'failed' });
    throw asJobError(error);
  }
  metrics.emailsSent.inc({ kind, result: 'sent' });
  deps.logger.info({ requestId: job.notice.request?.requestId, to: job.to, kind }, 'notice sent');
}

export async function processSendJob(job: SendJob, deps: SenderDeps): Promise<void> {
  switch (job.kind) {
    case 'request':
      return sendRequestEmails(job, deps);
    case 'notice':
      return sendNotice(job, deps);
  }
}
