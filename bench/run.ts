/**
 * `pnpm bench`: end-to-end figures on real Redis, Dovecot and SMTP.
 *
 *  1. pickup latency: N answers, one after another, each timed from the SMTP 250 of the answer
 *     to the webhook arriving at the engine (IMAP IDLE path; the sweep interval is 60 s).
 *  2. backlog drain: M answers APPENDed to the mailbox before the services start, then the
 *     time until the engine has heard all of them (poller batches → verifier → task-updater).
 *
 * Options: --answers N (default 30), --backlog M (default 2000).
 */
import { loadConfig, startHost } from '@rc/runtime';
import { answerWithButton, openMailbox, readRequestEmail } from '@rc/testkit';
import {
  ALL_SERVICES,
  MAILBOX,
  seedRequests,
  startBackends,
  systemEnv,
} from '../services/all-in-one/test/system';

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}
const ANSWERS = option('answers', 30);
const BACKLOG = option('backlog', 2000);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

const backends = await startBackends();
const { redis, stack, engine } = backends;
try {
  // 1. pickup latency
  {
    const env = systemEnv(
      { redisUrl: redis.url, stack, webhookUrl: engine.url },
      { RC_SYNC_INTERVAL: '60s', RC_LOG_LEVEL: 'error' },
    );
    const host = await startHost(
      loadConfig(env, ['sender', 'poller', 'verifier', 'task-updater']),
      ALL_SERVICES,
      'bench',
    );
    const base = `http://127.0.0.1:${host.http.port}`;
    const latencies: number[] = [];
    for (let i = 0; i < ANSWERS; i++) {
      const assignee = `lat${i}@corp.example`;
      const inbox = await openMailbox(stack, assignee);
      await fetch(`${base}/v1/completion-requests`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${env.RC_API_TOKEN}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({
          taskId: `T${i}`,
          title: `Latency ${i}`,
          assignees: [{ email: assignee }],
        }),
      });
      const email = await readRequestEmail(await inbox.waitFor(() => true, 20_000));
      await inbox.close();
      const before = engine.received.length;
      const sentAt = Date.now();
      await answerWithButton(stack.smtp, assignee, email.completeLink, 'ok\r\n');
      const hooks = await engine.waitFor(before + 1, 20_000);
      latencies.push((hooks[before]?.receivedAt ?? NaN) - sentAt);
    }
    await host.close();
    console.log(
      `pickup latency, answer sent → webhook received, IMAP IDLE (n=${ANSWERS}): ` +
        `p50 ${percentile(latencies, 50)} ms, p95 ${percentile(latencies, 95)} ms, max ${Math.max(...latencies)} ms`,
    );
  }

  // 2. backlog drain
  {
    const env = systemEnv(
      { redisUrl: redis.url, stack, webhookUrl: engine.url },
      {
        RC_LOG_LEVEL: 'error',
        RC_BATCH_SIZE: '200',
        RC_VERIFY_RATE_LIMIT: 'off',
        RC_SENDER_RATE_LIMIT: 'off',
      },
    );
    const mailbox = await openMailbox(stack, MAILBOX);
    const fillStart = Date.now();
    for (const request of await seedRequests(env, BACKLOG, 'bulk')) {
      await mailbox.append(request.answer('complete', `Approved, ${request.requestId}.`));
    }
    await mailbox.close();
    console.log(`backlog: ${BACKLOG} answers APPENDed in ${Date.now() - fillStart} ms`);

    const before = engine.received.length;
    const start = Date.now();
    const host = await startHost(
      loadConfig(env, ['sender', 'poller', 'verifier', 'task-updater']),
      ALL_SERVICES,
      'bench',
    );
    await engine.waitFor(before + BACKLOG, 600_000);
    const elapsed = Date.now() - start;
    const outcomes = await (
      await fetch(`http://127.0.0.1:${host.http.port}/v1/inbound?outcome=accepted&limit=1000`, {
        headers: { authorization: `Bearer ${env.RC_API_TOKEN}` },
      })
    ).json();
    await host.close();
    console.log(
      `backlog drain: ${BACKLOG} answers mailbox → engine in ${elapsed} ms = ${Math.round((BACKLOG * 1000) / elapsed)} answers/s ` +
        `(all four services in one process, 2 cores; accepted outcomes listed: ${(outcomes as { items: unknown[] }).items.length})`,
    );
  }
} finally {
  await backends.stop();
}
