import { randomUUID } from 'node:crypto';
import { buildAnswerTemplate } from '@rc/mail';
import { createRedis } from '@rc/runtime';
import { RequestStore, storedRequestFromJob } from '@rc/store';
import { mintAnswerToken, newAnswerRef, parseSigningKeys } from '@rc/tokens';

export interface SeededRequest {
  requestId: string;
  assignee: string;
  /** an answer as the assignee's client sends it after clicking a button */
  answer(action: 'complete' | 'fail', comment: string): string;
}

/**
 * Requests stored exactly as the sender stores them (answer refs, signed tokens), without
 * emailing anyone: for filling a mailbox with answers before the services start (the
 * replica/crash tests and the backlog bench). Not used by `pnpm start`.
 */
export async function seedRequests(
  env: Record<string, string>,
  count: number,
  idPrefix: string,
): Promise<SeededRequest[]> {
  const keyring = parseSigningKeys(env.RC_SIGNING_KEYS ?? '').keyring;
  if (!keyring) throw new Error('RC_SIGNING_KEYS does not parse');
  const mailbox = env.RC_MAILBOX_ADDRESS ?? '';
  const redis = createRedis(env.RC_REDIS_URL ?? '', 'client');
  const store = new RequestStore(redis, env.RC_QUEUE_PREFIX ?? 'rc');
  const seeded: SeededRequest[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const requestId = `${idPrefix}-${i}`;
      const assignee = `${idPrefix}${i}@corp.example`;
      const request = storedRequestFromJob(
        {
          kind: 'request',
          request: {
            requestId,
            taskId: `Task-${requestId}`,
            title: `Task ${i}`,
            assignees: [{ email: assignee }],
          },
          requestedAt: new Date().toISOString(),
        },
        86_400_000,
      );
      await store.create(request);
      const ref = await store.answerRefFor(request, assignee, newAnswerRef);
      seeded.push({
        requestId,
        assignee,
        answer(action, comment) {
          const { subject, body } = buildAnswerTemplate({
            action,
            token: mintAnswerToken(keyring, action, ref),
            title: request.title,
          });
          return (
            `From: ${assignee}\r\nTo: ${mailbox}\r\nSubject: ${subject}\r\n` +
            `Message-ID: <${randomUUID()}@corp.example>\r\nDate: ${new Date().toUTCString()}\r\n` +
            `MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${comment}${body}`
          );
        },
      });
    }
  } finally {
    await redis.quit();
  }
  return seeded;
}
