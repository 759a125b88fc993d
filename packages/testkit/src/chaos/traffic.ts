import type { MailStack } from '../mail-stack';
import { openMailbox, type MailboxClient } from '../mailbox';
import { sleep } from '../wait';

/** A request seeded as the sender stores it, with answers as an assignee's client writes them. */
export interface SeededAnswerable {
  requestId: string;
  answer(action: 'complete' | 'fail', comment: string): string;
}

export type Action = 'complete' | 'fail';

export interface TrafficPlan {
  stack: MailStack;
  mailbox: string;
  seeded: SeededAnswerable[];
  /** where POST /v1/completion-requests goes (the sender), asked again on every attempt */
  senderUrl: () => string;
  apiToken: string;
  apiRequestIds: string[];
  feedMs: number;
  random: () => number;
}

export interface Traffic {
  /** the action each request was answered with; both when it got two conflicting answers */
  answered: Map<string, Action | 'both'>;
  /** resolves once every answer is in the mailbox and every API request was accepted */
  done: Promise<void>;
}

/**
 * Answers arrive as IMAP APPENDs spread evenly over `feedMs` (as fast as Dovecot's delivery,
 * without SMTP in the way); a tenth of the requests get a second, conflicting answer right
 * after the first. API requests are spread the same way and retried until the sender takes
 * them (it may be down, or Redis may be). Both survive Dovecot restarts by reconnecting.
 */
export function startTraffic(plan: TrafficPlan): Traffic {
  const answered = new Map<string, Action | 'both'>();
  const started = Date.now();
  const at = (i: number, total: number) => started + (plan.feedMs * i) / Math.max(1, total);

  const answers = (async () => {
    const box = reconnecting(plan.stack, plan.mailbox);
    try {
      for (const [i, request] of plan.seeded.entries()) {
        await sleep(at(i, plan.seeded.length) - Date.now());
        const action: Action = plan.random() < 1 / 3 ? 'fail' : 'complete';
        await box.append(request.answer(action, `${action} ${request.requestId}\r\n`));
        answered.set(request.requestId, action);
        if (plan.random() < 0.1) {
          const other: Action = action === 'fail' ? 'complete' : 'fail';
          await box.append(request.answer(other, `changed my mind\r\n`));
          answered.set(request.requestId, 'both');
        }
      }
    } finally {
      await box.close();
    }
  })();

  const requests = (async () => {
    for (const [i, requestId] of plan.apiRequestIds.entries()) {
      await sleep(at(i, plan.apiRequestIds.length) - Date.now());
      await postUntilAccepted(plan, requestId, i);
    }
  })();

  return { answered, done: Promise.all([answers, requests]).then(() => undefined) };
}

async function postUntilAccepted(plan: TrafficPlan, requestId: string, i: number) {
  const body = JSON.stringify({
    requestId,
    taskId: `Chaos/Task${i}`,
    title: `Chaos ${i}`,
    assignees: [{ email: `${requestId}@corp.example` }],
  });
  for (;;) {
    const status = await fetch(`${plan.senderUrl()}/v1/completion-requests`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.apiToken}` },
      body,
      signal: AbortSignal.timeout(5_000),
    }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 202) return;
    if (status !== 0 && status < 500) throw new Error(`POST ${requestId}: HTTP ${status}`);
    await sleep(300);
  }
}

/** An APPEND-only mailbox client that reconnects when Dovecot restarts under it. */
function reconnecting(stack: MailStack, address: string) {
  let client: MailboxClient | undefined;
  return {
    async append(raw: string) {
      for (let attempt = 1; ; attempt++) {
        try {
          client ??= await openMailbox(stack, address);
          await client.append(raw);
          return;
        } catch (error) {
          await client?.close().catch(() => undefined);
          client = undefined;
          if (attempt >= 100) throw error;
          await sleep(200);
        }
      }
    },
    close: async () => client?.close(),
  };
}
