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
import {
  answerWithButton,
  createApiClient,
  openMailbox,
  readRequestEmail,
  startBackends,
  startProduct,
  systemEnv,
} from '@rc/testkit';
import { ALL_SERVICES, seedRequests } from '@rc/all-in-one';

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
    const host = await startProduct(ALL_SERVICES, env, 'bench');
    const api = createApiClient(`http://127.0.0.1:${host.http.port}`, env.RC_API_TOKEN);
    const latencies: number[] = [];
    for (let i = 0; i < ANSWERS; i++) {
      const assignee = `lat${i}@corp.example`;
      const inbox = await openMailbox(stack, assignee);
      await api('POST', '/v1/completion-requests', {
        taskId: `T${i}`,
        title: `Latency ${i}`,
        assignees: [{ email: assignee }],
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
    const mailbox = await openMailbox(stack, env.RC_MAILBOX_ADDRESS);
    const fillStart = Date.now();
    for (const request of await seedRequests(env, BACKLOG, 'bulk')) {
      await mailbox.append(request.answer('complete', `Approved, ${request.requestId}.`));
    }
    await mailbox.close();
    console.log(`backlog: ${BACKLOG} answers APPENDed in ${Date.now() - fillStart} ms`);

    const before = engine.received.length;
    const start = Date.now();
    const host = await startProduct(ALL_SERVICES, env, 'bench');
    await engine.waitFor(before + BACKLOG, 600_000);
    const elapsed = Date.now() - start;
    const api = createApiClient(`http://127.0.0.1:${host.http.port}`, env.RC_API_TOKEN);
    const { json: outcomes } = await api('GET', '/v1/inbound?outcome=accepted&limit=1000');
    await host.close();
    console.log(
      `backlog drain: ${BACKLOG} answers mailbox → engine in ${elapsed} ms = ${Math.round((BACKLOG * 1000) / elapsed)} answers/s ` +
        `(all four services in one process, 2 cores; accepted outcomes listed: ${(outcomes as { items: unknown[] }).items.length})`,
    );
  }
} finally {
  await backends.stop();
}
