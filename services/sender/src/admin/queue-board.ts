import type { Queues } from '@rc/runtime';
import type { Queue } from 'bullmq';
import type { Express } from 'express';
import { maskAnswerTokens } from '@rc/tokens';

export const QUEUE_BOARD_PATH = '/admin/queues';

/**
 * Bull Board is a React app: its scripts and styles are its own files, it styles elements inline
 * and it would load fonts from Google. Only our origin; inline styles but no inline scripts.
 */
export const QUEUE_BOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'self'",
].join('; ');

/**
 * What the board shows of a job's data. Inbound jobs (and the dead letters of failed ones) hold
 * the raw email, whose subject and body carry answer tokens: the raw bytes are left out and any
 * token elsewhere is masked. A large message is stored apart and its job names it (`rawRef`,
 * the message's inboundId): that id is shown as it is, the board never reads the bytes.
 */
export function redactJobData(value: unknown): unknown {
  if (typeof value === 'string') return maskAnswerTokens(value);
  if (Array.isArray(value)) return value.map(redactJobData);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) =>
      key === 'rawBase64' && typeof field === 'string'
        ? [
            key,
            `(the raw message, ${field.length} base64 characters, is not shown: it holds answer tokens)`,
          ]
        : [key, redactJobData(field)],
    ),
  );
}

/** Bull Board over all our queues, served at /admin/queues (the caller puts a login in front). */
export async function createQueueBoard(queues: Queues): Promise<Express> {
  // Loaded on the first visit (~100 ms with its Express adapter): start-up does not pay for it.
  const [{ createBullBoard }, { BullMQAdapter }, { ExpressAdapter }] = await Promise.all([
    import('@bull-board/api'),
    import('@bull-board/api/bullMQAdapter'),
    import('@bull-board/express'),
  ]);
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_BOARD_PATH);
  const adapters = Object.entries(queues).map(([key, queue]) => {
    // A dead letter is replayed through POST /v1/dead-letters/{id}/replay, which validates it
    // and keeps its job id; the board only shows them.
    const adapter = new BullMQAdapter(queue as Queue, { readOnlyMode: key === 'deadLetter' });
    adapter.setFormatter('data', redactJobData);
    adapter.setFormatter('returnValue', redactJobData);
    return adapter;
  });
  createBullBoard({
    queues: adapters,
    serverAdapter,
    options: {
      uiConfig: {
        boardTitle: 'remote-completion',
        miscLinks: [{ text: 'Requests and inbound mail', url: '/admin/' }],
        hideDocsLink: true,
      },
    },
  });
  const board = serverAdapter.getRouter() as Express;
  board.disable('x-powered-by');
  return board;
}
