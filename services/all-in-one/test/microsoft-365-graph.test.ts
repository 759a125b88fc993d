import {
  answerMime,
  dumpRedis,
  buttonAnswerMime,
  startHttpsFront,
  startMicrosoftFake,
  startRedis,
  startWebhookReceiver,
  waitUntil,
  type HttpsFront,
  type MicrosoftFake,
  type RedisServer,
  type WebhookReceiver,
} from '@rc/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  coreEnv,
  freePort,
  graphEnv,
  hooksFor,
  isRequestEmail,
  MAILBOX,
  requestCompletion,
  signedByProduct,
  startProduct,
  tokensIn,
  waitForHook,
  type RunningProduct,
} from './m365-world';

/**
 * Issue 8, "Done when": the round trip with RC_MAILBOX_SOURCE=graph and RC_MAIL_TRANSPORT=graph,
 * as a black box — `pnpm start` configured only by RC_* variables, the local Entra ID and Graph
 * as Microsoft 365, a real Redis, a webhook engine. Answers arrive the way Exchange delivers
 * them: straight into the mailbox the product reads.
 */

let redis: RedisServer;
let webhook: WebhookReceiver;
let ms: MicrosoftFake;
let front: HttpsFront;
let product: RunningProduct;

/** The request email as the fake's sendMail received it (raw MIME, base64-decoded). */
function sentRequestEmail(requestId: string): Promise<Buffer> {
  return waitUntil(
    `sendMail of the request ${requestId}`,
    () => ms.sentMail.find((mail) => isRequestEmail(mail.raw, requestId))?.raw,
    15_000,
  );
}

const inbox = () => ms.mailbox(MAILBOX).list('inbox');

/**
 * The fake counts a request as inside a Retry-After window by its arrival. Up to four calls go
 * out together, and when the first of them is refused the other three may already be on the
 * wire: they arrive after the window was announced (by a few ms, or by hundreds on a loaded
 * two-core machine), though the client could not have known. So at most three calls per
 * announcement, arriving within 500 ms of it, are excused; a retry of a refused call, a fourth
 * straggler, or any later call is not.
 */
function avoidableViolations(graph: MicrosoftFake['stats']['graph'], since: number) {
  const key = (r: { at: number; method: string; path: string }) => `${r.at} ${r.method} ${r.path}`;
  const violations = graph.retryAfterViolations.filter((v) => v.at >= since);
  const straggler = new Set(violations.map(key));
  const refused = graph.requests.filter(
    (r) => r.at >= since && (r.status === 429 || r.status === 503),
  );
  const announcements = refused.filter((r) => !straggler.has(key(r)));
  const excusedPer = new Map<number, number>();
  return violations.filter((v) => {
    const announced = announcements.filter((a) => a.at <= v.at).at(-1);
    const retry = refused.some((r) => r.at < v.at && r.method === v.method && r.path === v.path);
    if (announced === undefined || retry || v.at - announced.at > 500) return true;
    const excused = excusedPer.get(announced.at) ?? 0;
    excusedPer.set(announced.at, excused + 1);
    return excused >= 3;
  });
}

beforeAll(async () => {
  [redis, webhook, ms] = await Promise.all([
    startRedis(),
    startWebhookReceiver(),
    startMicrosoftFake(),
  ]);
  ms.mailbox(MAILBOX);
  // Counted, not refused: a fifth concurrent request must show up in the stats (Outlook would
  // answer it 429, which would hide how many the product really sent).
  ms.settings.mailboxConcurrencyLimit = 64;
  const port = await freePort();
  front = await startHttpsFront(ms.serverTls, port);
  product = startProduct(
    {
      ...coreEnv({ redisUrl: redis.url, webhookUrl: webhook.url }),
      ...graphEnv(ms),
      RC_SYNC_INTERVAL: '60s',
      RC_GRAPH_NOTIFICATION_URL: `${front.origin}/v1/graph/notifications`,
    },
    port,
  );
  await product.waitReady();
  // Graph validated the notification URL (the handshake through the HTTPS front) and subscribed.
  await waitUntil('a live subscription', () => ms.subscriptions()[0], 15_000).catch((error) => {
    throw new Error(`${(error as Error).message}; the product said:\n${product.process.output()}`);
  });
}, 60_000);

afterAll(async () => {
  await product?.stop().catch(() => undefined);
  await Promise.allSettled([front?.stop(), ms?.close(), webhook?.stop(), redis?.stop()]);
});

describe('Microsoft 365 through Graph, end to end', () => {
  it('Complete button, plain reply and Fail: sent by sendMail with the signed headers, each answer told to the engine with its comment and deleted from the mailbox', async () => {
    const complete = await requestCompletion(product.api, 'alice1@corp.example', sentRequestEmail);
    const reply = await requestCompletion(product.api, 'alice2@corp.example', sentRequestEmail);
    const fail = await requestCompletion(product.api, 'alice3@corp.example', sentRequestEmail);

    // The MIME form of sendMail: the product's own headers survive, which JSON would lose.
    const sent = ms.sentMail.find((mail) => isRequestEmail(mail.raw, complete.requestId))!;
    expect(sent).toMatchObject({ from: MAILBOX, format: 'mime' });
    const head = sent.raw.toString('utf8').split(/\r?\n\r?\n/)[0]!;
    expect(head).toMatch(/^Message-ID: <rc-k1-[0-9a-z-]+@/im);
    expect(complete.email.messageId).toMatch(/^<rc-k1-/);
    expect(head).toMatch(/^Reply-To: approvals@rc\.example/im);
    expect(head).toMatch(/^Auto-Submitted: auto-generated/im);
    expect(head).toMatch(/^X-Auto-Response-Suppress: All/im);

    const mailbox = ms.mailbox(MAILBOX);
    mailbox.put(
      await buttonAnswerMime(
        'Alice Example <alice1@corp.example>',
        complete.email.completeLink,
        'Looks good, ship it.\r\n',
      ),
    );
    mailbox.put(
      await answerMime({
        from: 'alice2@corp.example',
        to: MAILBOX,
        subject: `Re: ${reply.email.subject}`,
        text: 'Approve. Thanks!\r\n\r\nOn Mon, 1 Jan 2026, Remote Completion wrote:\r\n> Please approve',
        inReplyTo: reply.email.messageId,
        references: reply.email.messageId,
      }),
    );
    mailbox.put(
      await buttonAnswerMime(
        'alice3@corp.example',
        fail.email.failLink,
        'Smoke tests are red.\r\n',
      ),
    );

    const [completed, replied, failed] = await Promise.all(
      [complete, reply, fail].map(({ requestId }) => waitForHook(webhook, requestId)),
    );
    expect(completed?.json).toMatchObject({
      event: 'task.completed',
      requestId: complete.requestId,
      taskId: complete.taskId,
      actor: { email: 'alice1@corp.example', name: 'Alice Example' },
      comment: 'Looks good, ship it.',
    });
    expect(replied?.json).toMatchObject({
      event: 'task.completed',
      requestId: reply.requestId,
      actor: { email: 'alice2@corp.example' },
    });
    expect((replied?.json as { comment: string }).comment).toContain('Thanks!');
    expect(failed?.json).toMatchObject({
      event: 'task.failed',
      requestId: fail.requestId,
      comment: 'Smoke tests are red.',
    });
    for (const hook of [completed, replied, failed]) expect(signedByProduct(hook!)).toBe(true);

    // Queued first, then deleted (RC_AFTER_PROCESSING's default).
    await waitUntil('the inbox emptied', () => (inbox().length === 0 ? true : undefined));
    // recorded once the engine has answered, which is just after the call arrived
    await waitUntil('the request recorded as failed', async () => {
      const { json } = await product.api('GET', `/v1/completion-requests/${fail.requestId}`);
      return json.status === 'failed' ? true : undefined;
    });
  }, 40_000);

  it('picks an answer up in under 1.5 s through change notifications while the sweep runs once a minute', async () => {
    const latencies: number[] = [];
    for (let i = 0; i < 3; i++) {
      const { requestId, email } = await requestCompletion(
        product.api,
        `fast${i}@corp.example`,
        sentRequestEmail,
      );
      const answer = await buttonAnswerMime(`fast${i}@corp.example`, email.completeLink, 'ok\r\n');
      const notified = ms.notifications.length;
      const putAt = Date.now();
      ms.mailbox(MAILBOX).put(answer);
      const hook = await waitForHook(webhook, requestId, 10_000);
      latencies.push(hook.receivedAt - putAt);
      // the push did it: Graph posted a notification the product acknowledged with 202
      expect(ms.notifications.slice(notified)).toContainEqual(
        expect.objectContaining({ kind: 'change', status: 202 }),
      );
    }
    console.log(`Graph pickup (mail put → webhook call): ${latencies.join(' ms, ')} ms`);
    const median = [...latencies].sort((a, b) => a - b)[1]!;
    expect(median).toBeLessThan(1_500);
  }, 30_000);

  it('a 429/503 storm over a backlog of 30 answers: each decided once, none lost, Retry-After honoured, never more than 4 in flight', async () => {
    const requests = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        requestCompletion(product.api, `storm${i}@corp.example`, sentRequestEmail),
      ),
    );
    const answers = await Promise.all(
      requests.map(({ email }, i) =>
        buttonAnswerMime(
          `storm${i}@corp.example`,
          i % 3 === 0 ? email.failLink : email.completeLink,
          `answer ${i}\r\n`,
        ),
      ),
    );
    const throttledBefore = ms.stats.graph.throttled + ms.stats.graph.unavailable;
    // on every kind of call the poller makes: the list, the downloads, the deletes
    const storm = [
      { count: 3, status: 429, retryAfterSeconds: 1, path: /\/messages$/ },
      {
        count: 3,
        status: 503,
        retryAfterSeconds: 0.5,
        code: 'MailboxInfoStale',
        path: /\/messages$/,
      },
      { count: 4, status: 429, retryAfterSeconds: 0.7, path: /\/\$value$/ },
      { count: 2, status: 503, retryAfterSeconds: null, path: /\/\$value$/ },
      { count: 3, status: 429, retryAfterSeconds: 0.5, path: /\/messages\/[^/]+$/ },
    ] as const;
    for (const rule of storm) ms.throttle({ ...rule });
    const refusals = storm.reduce((sum, rule) => sum + rule.count, 0);
    const putAt = Date.now();
    for (const answer of answers) ms.mailbox(MAILBOX).put(answer);

    await waitUntil(
      'every answer told to the engine',
      () => requests.every(({ requestId }) => hooksFor(webhook, requestId).length > 0) || undefined,
      45_000,
      100,
    );
    console.log(`30 answers through ${refusals} refusals decided in ${Date.now() - putAt} ms`);
    await waitUntil('the inbox emptied', () => (inbox().length === 0 ? true : undefined), 15_000);
    // settle: a message decided twice would show up as a second call
    await new Promise((resolve) => setTimeout(resolve, 500));
    requests.forEach(({ requestId }, i) => {
      const hooks = hooksFor(webhook, requestId);
      expect(hooks, requestId).toHaveLength(1);
      expect(hooks[0]?.json).toMatchObject({
        event: i % 3 === 0 ? 'task.failed' : 'task.completed',
        comment: `answer ${i}`,
      });
    });
    const { json } = await product.api('GET', '/v1/inbound?limit=200');
    const outcomes = (json.items as { requestId: string; outcome: string }[]).filter((item) =>
      requests.some(({ requestId }) => requestId === item.requestId),
    );
    expect(outcomes).toHaveLength(30);
    expect(outcomes.every((item) => item.outcome === 'accepted')).toBe(true);

    const { graph } = ms.stats;
    const excused = graph.retryAfterViolations.filter((v) => v.at >= putAt);
    expect(avoidableViolations(graph, putAt)).toEqual([]);
    console.log(`in flight when a window was announced (excused): ${excused.length}`);
    // the injected refusals, plus the 429 each excused straggler got
    expect(graph.throttled + graph.unavailable - throttledBefore).toBe(refusals + excused.length);
    expect(graph.maxConcurrent).toBeGreaterThan(1);
    expect(graph.maxConcurrent).toBeLessThanOrEqual(4);
    // one app token for every call so far, sender's and poller's alike (pnpm start shares it)
    expect(graph.requests.length).toBeGreaterThan(100);
    expect(ms.stats.tokensIssued.client_credentials).toBe(1);
    // the app token lives in memory only
    expect(tokensIn(await dumpRedis(redis.url))).toEqual([]);
    expect(tokensIn(product.process.output())).toEqual([]);
  }, 60_000);
});

describe('Microsoft 365 through Graph, when things are wrong or set differently', () => {
  it('a wrong client secret: not ready, one line with the AADSTS code and the fix, alive, no secret logged', async () => {
    const env = { ...coreEnv({ redisUrl: redis.url, webhookUrl: webhook.url }), ...graphEnv(ms) };
    const rightSecret = env.RC_GRAPH_CLIENT_SECRET!;
    const wrongSecret = `${rightSecret.slice(0, -4)}XXXX`;
    // debug: the retries show up there, while warnings must not repeat
    const broken = startProduct(
      { ...env, RC_GRAPH_CLIENT_SECRET: wrongSecret, RC_LOG_LEVEL: 'debug' },
      await freePort(),
    );
    try {
      await waitUntil('the HTTP server', () => broken.readyz().catch(() => undefined), 30_000, 100);
      const lines = (minLevel: number) =>
        broken.process
          .output()
          .split('\n')
          .filter((line) => line.includes('AADSTS7000215'))
          .filter((line) => Number(/"level":(\d+)/.exec(line)?.[1]) >= minLevel);
      const warnings = () => lines(40);
      await waitUntil('the AADSTS line', () => warnings()[0], 15_000, 100);
      const ready = await broken.readyz();
      expect(ready.status).toBe(503);
      expect(JSON.stringify(ready.body)).toContain('AADSTS7000215');
      // the code, then what to fix (Entra's own wording would only say "invalid_client")
      expect(warnings()[0]).toMatch(/AADSTS7000215\b[^"]*secret/i);
      const warnedAtFirst = warnings().length;
      const triedAtFirst = lines(0).length;
      // retried with backoff meanwhile, still not ready, still serving, and not warned again
      await waitUntil(
        'two more attempts',
        () => (lines(0).length >= triedAtFirst + 2 ? true : undefined),
        15_000,
        100,
      );
      expect((await broken.readyz()).status).toBe(503);
      expect((await fetch(`${broken.base}/healthz`)).status).toBe(200);
      expect(await Promise.race([broken.process.exited, Promise.resolve('alive')])).toBe('alive');
      expect(warnings(), warnings().join('\n')).toHaveLength(warnedAtFirst);
      // one per service on Graph (sender, poller) and the poller's first reconnect notice
      expect(warnedAtFirst).toBeLessThanOrEqual(3);
      console.log(`wrong secret, the log says:\n${warnings().join('\n')}`);
      for (const secret of [wrongSecret, rightSecret]) {
        expect(broken.process.output()).not.toContain(secret);
      }
    } finally {
      await broken.stop();
    }
  }, 45_000);

  it('RC_AFTER_PROCESSING=move:<folder> without a notification URL: the answer is decided and moved, not deleted', async () => {
    await product.stop();
    const moving = startProduct(
      {
        ...coreEnv({ redisUrl: redis.url, webhookUrl: webhook.url }),
        ...graphEnv(ms),
        RC_SYNC_INTERVAL: '60s',
        RC_AFTER_PROCESSING: 'move:Processed approvals',
      },
      await freePort(),
    );
    try {
      await moving.waitReady();
      const { requestId, email } = await requestCompletion(
        moving.api,
        'mover@corp.example',
        sentRequestEmail,
      );
      const putAt = Date.now();
      ms.mailbox(MAILBOX).put(
        await buttonAnswerMime('mover@corp.example', email.completeLink, 'Moved along.\r\n'),
      );
      const hook = await waitForHook(webhook, requestId);
      // the folder is polled every few seconds when Graph cannot push
      console.log(`Graph pickup by polling: ${hook.receivedAt - putAt} ms`);
      expect(hook.json).toMatchObject({ event: 'task.completed', comment: 'Moved along.' });
      const folder = await waitUntil('the Processed approvals folder', () =>
        ms
          .mailbox(MAILBOX)
          .folders()
          .find((f) => f.displayName === 'Processed approvals'),
      );
      const moved = await waitUntil('the answer moved', () => {
        const held = ms.mailbox(MAILBOX).list(folder.id);
        return held.length === 1 ? held : undefined;
      });
      expect(moved[0]?.raw.toString()).toContain('Moved along.');
      expect(inbox()).toEqual([]);
    } finally {
      await moving.stop();
    }
  }, 45_000);
});
