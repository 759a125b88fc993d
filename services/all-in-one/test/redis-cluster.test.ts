import {
  answerWithButton,
  createApiClient,
  openMailbox,
  readRequestEmail,
  startBackends,
  startPnpmScript,
  startProduct,
  startRedisCluster,
  SYSTEM_DEFAULTS,
  systemEnv,
  waitUntil,
  type Backends,
  type RedisClusterServer,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALL_SERVICES } from '../src/index';

/**
 * The product on a local 3-master Redis Cluster (issue 10): every connection is a cluster
 * client, and the `{hash-tag}` prefix keeps each Lua script and MULTI (BullMQ's, the store's,
 * the poller lease's, the rate limit's) in one slot — a key outside it would fail with
 * CROSSSLOT, so a full round trip with a conflicting second answer exercises them all.
 */
let backends: Backends;
let cluster: RedisClusterServer;

beforeAll(async () => {
  [backends, cluster] = await Promise.all([startBackends(), startRedisCluster(3)]);
}, 60_000);
afterAll(async () => {
  await Promise.allSettled([backends?.stop(), cluster?.stop()]);
});

function clusterEnv(prefix: string) {
  return systemEnv(
    { redisUrl: cluster.url, stack: backends.stack, webhookUrl: backends.engine.url },
    { RC_QUEUE_PREFIX: prefix, RC_SENDER_RATE_LIMIT: '100/1m', RC_SYNC_INTERVAL: '2s' },
  );
}

describe('on a Redis Cluster', () => {
  it('a prefix without a {hash-tag} stops the service with exit 78, saying why', async () => {
    const product = startPnpmScript('start:verifier', clusterEnv('rcplain'));
    expect(await product.exited).toBe(78);
    expect(product.output()).toMatch(
      /config error: RC_QUEUE_PREFIX: needs a \{hash-tag\} on a Redis Cluster .*one slot/,
    );
  }, 30_000);

  it('runs the round trip (a second answer already_decided), a quorum vote, a reassignment and a cancel', async () => {
    const env = clusterEnv(`{rc${Math.random().toString(36).slice(2, 8)}}`);
    const host = await startProduct(ALL_SERVICES, env, 'cluster');
    const api = createApiClient(`http://127.0.0.1:${host.http.port}`, env.RC_API_TOKEN);
    const inbox = await openMailbox(backends.stack, 'carol@corp.example');
    try {
      const { status } = await api('POST', '/v1/completion-requests', {
        requestId: 'cluster-1',
        taskId: 'Release1/Phase1/Task1',
        title: 'Ship it',
        assignees: [{ email: 'carol@corp.example' }],
      });
      expect(status).toBe(202);
      const email = await readRequestEmail(await inbox.waitFor(() => true, 20_000));
      await answerWithButton(
        backends.stack.smtp,
        'carol@corp.example',
        email.completeLink,
        'Yes.\r\n',
      );
      const [hook] = await backends.engine.waitFor(1, 20_000);
      expect(hook?.json).toMatchObject({
        event: 'task.completed',
        requestId: 'cluster-1',
        comment: 'Yes.',
      });

      await answerWithButton(backends.stack.smtp, 'carol@corp.example', email.failLink, 'No.\r\n');
      const items = await waitUntil('two inbound outcomes', async () => {
        const { json } = await api('GET', '/v1/inbound?requestId=cluster-1');
        return json.items?.length >= 2 ? json.items : undefined;
      });
      expect(items.map((item: { reason: string | null }) => item.reason).sort()).toEqual([
        'already_decided',
        null,
      ]);
      const { json: state } = await api('GET', '/v1/completion-requests/cluster-1');
      expect(state.status).toBe('completed');
      const mailbox = await openMailbox(backends.stack, SYSTEM_DEFAULTS.mailbox);
      await mailbox.waitForCount(0);
      await mailbox.close();
      expect(backends.engine.received).toHaveLength(1);

      // the vote, reassignment and cancel scripts: a quorum of two, then a request reassigned
      // (the old assignee's answer revoked) and cancelled (the new one's answer cancelled)
      const inboxes = await Promise.all(
        ['vic', 'val', 'old', 'new'].map((name) =>
          openMailbox(backends.stack, `${name}@corp.example`),
        ),
      );
      const [vic, val, old, fresh] = inboxes;
      try {
        await api('POST', '/v1/completion-requests', {
          requestId: 'cluster-vote',
          taskId: 'T/vote',
          title: 'Two must agree',
          quorum: 2,
          assignees: [{ email: 'vic@corp.example' }, { email: 'val@corp.example' }],
        });
        for (const [name, box] of [
          ['vic', vic],
          ['val', val],
        ] as const) {
          const mail = await readRequestEmail(await box!.waitFor(() => true, 20_000));
          await answerWithButton(
            backends.stack.smtp,
            `${name}@corp.example`,
            mail.completeLink,
            'Ok.\r\n',
          );
        }
        const [, vote] = await backends.engine.waitFor(2, 20_000);
        expect(vote?.json).toMatchObject({ event: 'task.completed', requestId: 'cluster-vote' });

        await api('POST', '/v1/completion-requests', {
          requestId: 'cluster-moved',
          taskId: 'T/moved',
          title: 'Moved',
          assignees: [{ email: 'old@corp.example' }],
        });
        const oldMail = await readRequestEmail(await old!.waitFor(() => true, 20_000));
        const moved = await api('POST', '/v1/completion-requests/cluster-moved/reassign', {
          assignees: [{ email: 'new@corp.example' }],
        });
        expect(moved.status).toBeLessThan(300);
        const newMail = await readRequestEmail(await fresh!.waitFor(() => true, 20_000));
        expect((await api('DELETE', '/v1/completion-requests/cluster-moved')).status).toBeLessThan(
          300,
        );
        await answerWithButton(
          backends.stack.smtp,
          'old@corp.example',
          oldMail.completeLink,
          'Me.\r\n',
        );
        await answerWithButton(
          backends.stack.smtp,
          'new@corp.example',
          newMail.completeLink,
          'Me.\r\n',
        );
        const reasons = await waitUntil('both answers refused', async () => {
          const { json } = await api('GET', '/v1/inbound?requestId=cluster-moved');
          return json.items?.length >= 2
            ? json.items.map((i: { reason: string }) => i.reason)
            : undefined;
        });
        expect(reasons.sort()).toEqual(['cancelled', 'revoked']);
        expect(backends.engine.received).toHaveLength(2);
      } finally {
        await Promise.all(inboxes.map((box) => box.close()));
      }
    } finally {
      await inbox.close();
      await host.close();
    }
  }, 60_000);
});
