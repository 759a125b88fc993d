import { seedRequests } from '@rc/all-in-one';
import type { WebhookReceiver } from '@rc/testkit';
import { answerSender } from './raw-libraries';

/** An answer ready to send, and the request it answers (the engine's webhook names it). */
export interface Answer {
  requestId: string;
  from: string;
  raw: string;
}

export async function makeAnswers(
  env: Record<string, string>,
  count: number,
  idPrefix: string,
): Promise<Answer[]> {
  return (await seedRequests(env, count, idPrefix)).map((request) => ({
    requestId: request.requestId,
    from: request.assignee,
    raw: withTrace(request.answer('complete', `Approved, ${request.requestId}.\r\n`)),
  }));
}

/**
 * The header lines real mail collects on its way (relays, the client, the sending domain's
 * authentication), so that an answer weighs what one does in a mailbox: ~1.8 KB (issue 9).
 */
function withTrace(raw: string): string {
  const hop = (n: number) =>
    `Received: from mail${n}.corp.example (mail${n}.corp.example [192.0.2.${n}])\r\n` +
    `\tby mx${n}.rc.example (Postfix) with ESMTPS id 4Xk${n}Qz9vTz1R2s\r\n` +
    `\tfor <approvals@rc.example>; ${new Date().toUTCString()}\r\n`;
  const trace =
    hop(1) +
    hop(2) +
    hop(3) +
    hop(4) +
    hop(5) +
    'X-Mailer: Microsoft Outlook 16.0\r\nThread-Index: AQHa1b2c3d4e5f6g7h8i9j0kAAABBBCCCDDD\r\n' +
    'Authentication-Results: mx1.rc.example; spf=pass smtp.mailfrom=corp.example;\r\n' +
    '\tdkim=none; dmarc=none header.from=corp.example\r\n' +
    'X-MS-Has-Attach: \r\nX-MS-TNEF-Correlator: \r\nContent-Language: en-US\r\n' +
    'Accept-Language: en-US, de-DE\r\nX-Originating-IP: [198.51.100.23]\r\n';
  return trace + raw;
}

const seen = new WeakMap<WebhookReceiver, { cursor: number; times: Map<string, number> }>();

/** When the engine heard about each request (its webhook names the requestId); incremental. */
export function webhookTimes(engine: WebhookReceiver): Map<string, number> {
  const state = seen.get(engine) ?? { cursor: 0, times: new Map<string, number>() };
  seen.set(engine, state);
  for (; state.cursor < engine.received.length; state.cursor++) {
    const hook = engine.received[state.cursor];
    const requestId = (hook?.json as { requestId?: unknown } | undefined)?.requestId;
    if (hook && typeof requestId === 'string' && !state.times.has(requestId))
      state.times.set(requestId, hook.receivedAt);
  }
  return state.times;
}

/**
 * Sends `answers` through SMTP, one every `everyMs` (0: one at a time, each after the previous
 * one reached the engine), and returns each one's latency: SMTP 250 (stored in the mailbox) →
 * webhook received. `until` stops the sending early (e.g. once a backlog has drained).
 */
export async function timeAnswers(
  smtp: { host: string; port: number },
  engine: WebhookReceiver,
  to: string | string[],
  answers: readonly Answer[],
  options: {
    everyMs: number;
    until?: () => boolean;
    timeoutMs?: number;
    /** called with Date.now() as each answer is stored (SMTP 250) */
    onStored?: (at: number) => void;
  },
): Promise<number[]> {
  const sender = answerSender(smtp);
  const storedAt = new Map<string, number>();
  const sends: Promise<void>[] = [];
  try {
    const start = Date.now();
    for (const [index, answer] of answers.entries()) {
      if (options.until?.()) break;
      const sent = sender.send(answer.raw, answer.from, to).then(() => {
        const at = Date.now();
        storedAt.set(answer.requestId, at);
        options.onStored?.(at);
      });
      sends.push(sent);
      if (options.everyMs === 0) {
        await sent;
        await waitForRequests(engine, [answer.requestId], options.timeoutMs ?? 20_000);
        // lone: Dovecot's 500 ms notification window opened by the previous removal has closed
        await new Promise((resolve) => setTimeout(resolve, 1000 + Math.random() * 300));
      } else {
        const next = start + (index + 1) * options.everyMs;
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
      }
    }
    await Promise.all(sends);
    await waitForRequests(engine, [...storedAt.keys()], options.timeoutMs ?? 60_000);
  } finally {
    sender.close();
  }
  const heard = webhookTimes(engine);
  return [...storedAt].map(([requestId, at]) => (heard.get(requestId) ?? NaN) - at);
}

async function waitForRequests(
  engine: WebhookReceiver,
  requestIds: readonly string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const heard = webhookTimes(engine);
    if (requestIds.every((id) => heard.has(id))) return;
    if (Date.now() > deadline)
      throw new Error(`the engine did not hear ${requestIds.length} answers in ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
