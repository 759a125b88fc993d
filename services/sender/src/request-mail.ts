import type { Assignee } from '@rc/contracts';
import { isAddressWhitelisted } from '@rc/mail';
import { metrics, PermanentJobError } from '@rc/runtime';
import { errorCodeOf } from '@rc/contracts';
import type { StoredRequest } from '@rc/store';
import { mintAnswerToken, newAnswerRef, signedMessageId } from '@rc/tokens';
import { OUTBOUND_HEADERS, type MailAttachment } from './adapters/mail-transport';
import type { SenderDeps } from './process';
import { renderRequestEmail } from './render/request-email';

/** Which email of a request: the first, a reminder, or the first to an escalation's assignee. */
export interface RequestMailOptions {
  kind: 'request' | 'reminder' | 'escalation';
  attachments: MailAttachment[];
  /** subject prefix and first sentence of a reminder or an escalation (timers/timer-texts.ts) */
  variant?: { subjectPrefix: string; lead: string };
}

export function mailboxDomain(mailboxAddress: string): string {
  return mailboxAddress.slice(mailboxAddress.lastIndexOf('@') + 1);
}

/**
 * A message too large for the transport stays too large: dead-lettered with its code at once,
 * never retried for hours nor dropped. Every other failure is retried by the queue.
 */
export function asJobError(error: unknown): unknown {
  if (errorCodeOf(error) !== 'MAIL_TOO_LARGE') return error;
  return new PermanentJobError((error as Error).message, 'MAIL_TOO_LARGE');
}

/**
 * Renders and sends the request email to one assignee. Their answer ref is made once and
 * reused, so a reminder's buttons carry the very tokens of the first email. A reminder gets
 * its own Message-ID (the signed one plus `.reminder`: some providers drop a second message
 * with a Message-ID they have seen) which still holds the signed token a reply is matched by.
 */
export async function mailRequestTo(
  record: StoredRequest,
  assignee: Assignee,
  deps: SenderDeps,
  options: RequestMailOptions,
): Promise<void> {
  const { config } = deps;
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
    ...(options.variant ? { variant: options.variant } : {}),
  });
  const messageId = signedMessageId(config.keyring, ref, mailboxDomain(config.mailboxAddress));
  await deps.transport.send({
    from: config.mailFrom,
    to: { address: assignee.email, name: assignee.name },
    replyTo: config.mailboxAddress,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    messageId: options.kind === 'reminder' ? messageId.replace('@', '.reminder@') : messageId,
    headers: { ...OUTBOUND_HEADERS, 'X-RC-Request-Id': record.requestId },
    ...(options.attachments.length ? { attachments: options.attachments } : {}),
  });
}

/**
 * Emails each of `assignees` not yet emailed for this request, once. A retried job skips
 * those already emailed; the crash window between SMTP's 250 and `markEmailSent` can send one
 * duplicate, which is harmless: it carries the very same tokens.
 */
export async function emailUnsentAssignees(
  record: StoredRequest,
  assignees: readonly Assignee[],
  deps: SenderDeps,
  options: RequestMailOptions,
): Promise<void> {
  const { config } = deps;
  for (const assignee of assignees) {
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
    try {
      await mailRequestTo(record, assignee, deps, options);
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
      ...(options.kind === 'escalation' ? { detail: 'added by the escalation' } : {}),
    });
    metrics.emailsSent.inc({ kind: 'request', result: 'sent' });
    deps.logger.info(
      { requestId: record.requestId, to: assignee.email, kind: options.kind },
      'request email sent',
    );
  }
}
