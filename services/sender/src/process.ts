import { errorCodeOf, type SendJob, type SendNoticeJob, type SendRequestJob } from '@rc/contracts';
import { metrics, PermanentJobError, type Config, type Logger } from '@rc/runtime';
import { isAddressWhitelisted } from '@rc/mail';
import { storedRequestFromJob, type RequestStore } from '@rc/store';
import { mintAnswerToken, newAnswerRef, signedMessageId } from '@rc/tokens';
import { OUTBOUND_HEADERS, type MailTransport } from './adapters/mail-transport';
import { renderNotice } from './render/notice';
import { renderRequestEmail } from './render/request-email';

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
}

/**
 * A message too large for the transport stays too large: dead-lettered with its code at once,
 * never retried for hours nor dropped. Every other failure is retried by the queue.
 */
function asJobError(error: unknown): unknown {
  if (errorCodeOf(error) !== 'MAIL_TOO_LARGE') return error;
  return new PermanentJobError((error as Error).message, 'MAIL_TOO_LARGE');
}

export function mailboxDomain(mailboxAddress: string): string {
  return mailboxAddress.slice(mailboxAddress.lastIndexOf('@') + 1);
}

/**
 * Emails every assignee of a request once. A retried job skips assignees already emailed;
 * the crash window between SMTP's 250 and `markEmailSent` can send one duplicate, which is
 * harmless: it carries the very same tokens.
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
  for (const assignee of record.assignees) {
    if (await deps.store.wasEmailSent(record.requestId, assignee.email)) continue;
    // The intake refuses such requests with a 400; a job queued through the client is checked here.
    if (
      config.whitelist.enabled &&
      !isAddressWhitelisted(assignee.email, config.whitelist.domains)
    ) {
      await deps.store.addEvent(record, {
        at: new Date().toISOString(),
        type: 'email_failed',
        actor: assignee.email,
        detail: 'outside RC_WHITELIST_DOMAINS, not emailed',
      });
      metrics.emailsSent.inc({ kind: 'request', result: 'not_whitelisted' });
      deps.logger.warn(
        { requestId: record.requestId, to: assignee.email },
        'assignee outside the whitelist, not emailed',
      );
      continue;
    }
    const ref = await deps.store.answerRefFor(record, assignee.email, newAnswerRef);
    const rendered = renderRequestEmail({
      title: record.title,
      description: record.description,
      taskId: record.taskId,
      release: record.release,
      assignee,
      mailboxAddress: config.mailboxAddress,
      tokens: {
        complete: mintAnswerToken(config.keyring, 'complete', ref),
        fail: mintAnswerToken(config.keyring, 'fail', ref),
      },
      expiresAt: record.expiresAt,
      locale: record.locale,
    });
    try {
      await deps.transport.send({
        from: config.mailFrom,
        to: { address: assignee.email, name: assignee.name },
        replyTo: config.mailboxAddress,
        subject: rendered.subject,
        text: rendered.text,
        html: rendered.html,
        messageId: signedMessageId(config.keyring, ref, mailboxDomain(config.mailboxAddress)),
        headers: { ...OUTBOUND_HEADERS, 'X-RC-Request-Id': record.requestId },
      });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      metrics.emailsSent.inc({ kind: 'request', result: 'failed' });
      await deps.store.addEvent(record, {
        at: new Date().toISOString(),
        type: 'email_failed',
        actor: assignee.email,
        detail: message,
      });
      throw asJobError(error);
    }
    await deps.store.markEmailSent(record, assignee.email);
    await deps.store.addEvent(record, {
      at: new Date().toISOString(),
      type: 'email_sent',
      actor: assignee.email,
    });
    metrics.emailsSent.inc({ kind: 'request', result: 'sent' });
    deps.logger.info({ requestId: record.requestId, to: assignee.email }, 'request email sent');
  }
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
