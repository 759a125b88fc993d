import type { ParsedMessage } from './parse-message';
import { normalizeAddress } from './whitelist';

/**
 * Mail a person's software sends on their behalf that is never an answer, even when it comes
 * from the assignee and quotes the request with its buttons: read receipts, calendar responses
 * and messages forwarded by a mailbox rule. Each has its own reason so an operator sees what
 * happened instead of a `no_action`.
 */

/** RFC 8098 message disposition notification (RFC 6533 for the internationalised form). */
export function isReadReceipt(message: ParsedMessage): boolean {
  if (message.attachmentTypes.some((type) => MDN_PART_TYPES.has(type))) return true;
  if (message.contentType !== 'multipart/report') return false;
  return (message.headers.get('content-type') ?? []).some((value) => MDN_REPORT_TYPE.test(value));
}

const MDN_PART_TYPES = new Set([
  'message/disposition-notification',
  'message/global-disposition-notification',
]);
const MDN_REPORT_TYPE = /;\s*report-type\s*=\s*"?(?:global-)?disposition-notification"?/i;

/**
 * An iTIP response (RFC 5546): "Accepted:/Declined:/Tentative:" from Outlook, Gmail or
 * Thunderbird, and proposals for a new time. A calendar invitation someone attaches (REQUEST,
 * PUBLISH) does not make a reply one.
 */
export function isCalendarReply(message: ParsedMessage): boolean {
  return message.calendarMethods.some((method) => ITIP_RESPONSES.has(method));
}

const ITIP_RESPONSES = new Set(['REPLY', 'COUNTER', 'REFRESH']);

/**
 * A message a mailbox rule forwarded: Exchange stamps the rule owner's address in
 * X-MS-Exchange-Inbox-Rules-Loop (kept across organisations for loop prevention) and marks
 * rule-made messages in X-MS-Exchange-Generated-Message-Source; Dovecot's Sieve redirect adds
 * X-Sieve-Redirected-From. A rule of our own mailbox (an operator feeding it from a shared
 * mailbox) is not counted, and an automatic reply made by a rule stays an auto_reply.
 */
export function isRuleForward(message: ParsedMessage, ownAddresses: readonly string[]): boolean {
  const headers = message.headers;
  const autoSubmitted = headers.get('auto-submitted') ?? [];
  if (autoSubmitted.some((value) => /^\s*auto-forwarded/i.test(value))) return true;
  // Exchange stamps the same rule headers on its out-of-office replies (Auto-Submitted:
  // auto-generated, "Automatic reply:"): with Auto-Submitted, only a forward's subject counts.
  if (autoSubmitted.length > 0 && !FORWARD_SUBJECT.test(message.subject)) return false;
  const own = new Set(ownAddresses.map(normalizeAddress));
  const byOthers = (name: string): boolean =>
    (headers.get(name) ?? []).some((value) => {
      const address = ADDRESS.exec(value)?.[0];
      return address !== undefined && !own.has(normalizeAddress(address));
    });
  if (byOthers('x-ms-exchange-inbox-rules-loop') || byOthers('x-sieve-redirected-from')) {
    return true;
  }
  return (headers.get('x-ms-exchange-generated-message-source') ?? []).some((value) =>
    /mailbox rules/i.test(value),
  );
}

const ADDRESS = /[^\s<>@,;"]+@[^\s<>@,;"]+/;

/** "FW:", "WG:", "TR:", "RV:", "I:", "VB:", "Doorst:", "PD:", "İLT:", "전달:", "转发:". */
const FORWARD_SUBJECT =
  /^\s*(?:\[[^\]]{1,30}\]\s*)?(?:fw|fwd|wg|tr|rv|enc|i|vb|vs|doorst|pd|[iİ]lt|전달|转发|転送)\s*[:：]/iu;
