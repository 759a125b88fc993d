import { randomBytes } from 'node:crypto';
import { JOB_IDS, type TaskEvent, type UpdateJob } from '@rc/contracts';
import { loadConfig, startHost, type Host } from '@rc/runtime';
import { RequestStore, storedRequestFromJob } from '@rc/store';
import {
  startRedis,
  startWebhookReceiver,
  waitUntil,
  type RedisServer,
  type WebhookReceiver,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { engineConfigSection, releaseComment, startTaskUpdater } from '../src/index';

/**
 * Votes reach the engine (webhook body `votes`, SPEC 3.5) and the other assignees hear who
 * decided (RC_CONFIRMATION_NOTICES); a request without a quorum keeps its old payload.
 */

let redis: RedisServer;
let engine: WebhookReceiver;
let host: Host;
let store: RequestStore;

beforeAll(async () => {
  [redis, engine] = await Promise.all([startRedis(), startWebhookReceiver()]);
  const env = {
    RC_REDIS_URL: redis.url,
    RC_QUEUE_PREFIX: `tv${randomBytes(4).toString('hex')}`,
    RC_MAILBOX_ADDRESS: 'approvals@rc.example',
    RC_SIGNING_KEYS: `k1:${'cd'.repeat(24)}`,
    RC_ENGINE: 'webhook',
    RC_WEBHOOK_URL: engine.url,
    RC_WEBHOOK_SECRET: 'votes-webhook-secret',
    RC_HTTP_PORT: '0',
    RC_LOG_LEVEL: 'silent',
    RC_CONFIRMATION_NOTICES: 'true',
  };
  host = await startHost(
    loadConfig(env, ['task-updater'], [engineConfigSection()]),
    [(context) => startTaskUpdater(context)],
    'task-updater-votes-test',
  );
  store = new RequestStore(host.context.redis, host.context.config.queuePrefix);
});
afterAll(async () => {
  await host?.close();
  await Promise.allSettled([engine?.stop(), redis?.stop()]);
});

const TEAM = ['ann@corp.example', 'ben@corp.example', 'cat@corp.example'];
let counter = 0;

/** A request of TEAM decided as the verifier would: votes cast, the decisive one's update. */
async function decidedByVotes(quorum: number): Promise<UpdateJob> {
  counter += 1;
  const requestId = `votes-${counter}`;
  const stored = storedRequestFromJob(
    {
      kind: 'request',
      request: {
        requestId,
        taskId: `T-${counter}`,
        title: 'Ship 4.2',
        assignees: TEAM.map((email) => ({ email })),
        ...(quorum > 1 ? { quorum } : {}),
      },
      requestedAt: new Date().toISOString(),
    },
    86_400_000,
  );
  await store.create(stored);
  let decisive: UpdateJob | undefined;
  for (const voter of TEAM.slice(0, quorum)) {
    const at = new Date().toISOString();
    const vote = await store.votes.cast(stored, {
      voter,
      name: voter.slice(0, 3),
      action: 'complete',
      comment: `ok from ${voter}`,
      respondedAt: at,
      inboundId: `in-${requestId}-${voter}`,
      countedAt: at,
    });
    if (vote.result !== 'decided') continue;
    decisive = {
      requestId,
      taskId: stored.taskId,
      action: vote.decision.action,
      actor: { email: voter, name: voter.slice(0, 3) },
      comment: `ok from ${voter}`,
      respondedAt: at,
      messageId: `<${voter}@corp.example>`,
      inboundId: `in-${requestId}-${voter}`,
      ...(quorum > 1 ? { votes: vote.votes } : {}),
    };
  }
  if (!decisive) throw new Error('the votes did not decide');
  await host.context.queues.update.add('update', decisive, {
    jobId: JOB_IDS.update(requestId),
  });
  return decisive;
}

function webhookBody(requestId: string) {
  return waitUntil(`webhook for ${requestId}`, () => {
    const call = engine.received.find(
      (received) => (received.json as TaskEvent | undefined)?.requestId === requestId,
    );
    return call ? (call.json as TaskEvent & Record<string, unknown>) : undefined;
  });
}

describe('votes in the task-updater', () => {
  it('quorum 2: the webhook carries every vote; the others get a "decided" note', async () => {
    const update = await decidedByVotes(2);
    const body = await webhookBody(update.requestId);
    expect(body.votes).toEqual([
      expect.objectContaining({ actor: { email: 'ann@corp.example', name: 'ann' } }),
      expect.objectContaining({ actor: { email: 'ben@corp.example', name: 'ben' } }),
    ]);
    expect(body).toMatchObject({ event: 'task.completed', actor: { email: 'ben@corp.example' } });
    const send = host.context.queues.send;
    for (const other of ['ann@corp.example', 'cat@corp.example']) {
      const job = await waitUntil(`note to ${other}`, () =>
        send.getJob(JOB_IDS.decidedNotice(update.requestId, other)),
      );
      expect(job.data).toMatchObject({
        kind: 'notice',
        to: other,
        notice: {
          type: 'decided',
          request: { requestId: update.requestId, title: 'Ship 4.2' },
          decision: { action: 'complete', actor: 'ben <ben@corp.example>' },
        },
      });
    }
    expect(await send.getJob(JOB_IDS.decidedNotice(update.requestId, 'ben@corp.example'))).toBe(
      undefined,
    );
    expect(releaseComment(body)).toContain('Votes:\n- ann@corp.example: complete');
  });

  it('quorum 1: no votes key, no notes: the payload it always had', async () => {
    const update = await decidedByVotes(1);
    const body = await webhookBody(update.requestId);
    expect(Object.keys(body).sort()).toEqual(
      ['actor', 'comment', 'event', 'messageId', 'requestId', 'respondedAt', 'taskId'].sort(),
    );
    await waitUntil('applied', async () =>
      (await store.get(update.requestId))?.status === 'completed' ? true : undefined,
    );
    const send = host.context.queues.send;
    expect(await send.getJob(JOB_IDS.decidedNotice(update.requestId, 'ben@corp.example'))).toBe(
      undefined,
    );
  });
});
