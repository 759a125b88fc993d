import type { AnswerAction, RequestRecord, UpdateJob } from '@rc/contracts';

type StoredRequest = Omit<RequestRecord, 'status' | 'decision' | 'cancelledAt'>;

/** The two store calls this needs (`@rc/store`'s RequestStore has them; the testkit does not import it). */
export interface DecisionStore {
  create(request: StoredRequest): Promise<'created' | 'exists'>;
  claimDecision(
    request: StoredRequest,
    decision: { action: AnswerAction; actor: string; inboundId: string; decidedAt: string },
  ): Promise<{ result: string }>;
}

export interface DecidedRequest {
  request: StoredRequest;
  update: UpdateJob;
}

let counter = 0;

/**
 * A stored request whose decision is already claimed, and the update job the verifier would
 * queue for it: the starting point of every task-updater and dead-letter replay test.
 */
export async function seedDecidedRequest(
  store: DecisionStore,
  options: { action?: AnswerAction; taskId?: string; locale?: string } = {},
): Promise<DecidedRequest> {
  counter += 1;
  const requestId = `req-${counter}-${Date.now()}`;
  const taskId = options.taskId ?? `Release1-Phase2-Task${counter}`;
  const action = options.action ?? 'complete';
  const now = new Date();
  const request: StoredRequest = {
    requestId,
    taskId,
    title: 'Approve production deploy',
    assignees: [{ email: 'alice@corp.example', name: 'Alice Example' }],
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    ...(options.locale ? { locale: options.locale } : {}),
  };
  if ((await store.create(request)) !== 'created')
    throw new Error(`request ${requestId} already existed`);
  const inboundId = `inbound-${requestId}`;
  const claim = await store.claimDecision(request, {
    action,
    actor: 'alice@corp.example',
    inboundId,
    decidedAt: now.toISOString(),
  });
  if (claim.result !== 'claimed') throw new Error(`claim of ${requestId}: ${claim.result}`);
  const update: UpdateJob = {
    requestId,
    taskId,
    action,
    actor: { email: 'alice@corp.example', name: 'Alice Example' },
    comment: 'Smoke tests are green, ship it.',
    respondedAt: now.toISOString(),
    messageId: `<answer-${counter}@corp.example>`,
    inboundId,
  };
  return { request, update };
}
