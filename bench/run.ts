/**
 * `pnpm bench` (issue 9): each stage of the product beside the raw library doing the same work,
 * in one run, on real Redis, Dovecot and SMTP started here. Prints a table and writes
 * docs/benchmarks.md. Abuse caps are lifted (RC_*_RATE_LIMIT=off). Not part of `pnpm test`.
 *
 *   pnpm bench [--answers 20] [--steady 10] [--backlog 5000] [--scale 3000] [--requests 300]
 *              [--profile DIR] [--stages pickup,drain,fresh,scale,sender,startup,big] [--no-write]
 */
import { readdirSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { startBackends, SYSTEM_DEFAULTS, systemEnv } from '@rc/testkit';
import { makeAnswers, timeAnswers } from './answers';
import { fillMailbox, timeDrain } from './backlog';
import { summarizeProfile } from './cpu-profile';
import { watchIdle } from './idle-watcher';
import { startProductProcess, type RunningProduct } from './product-process';
import { rawParseRate } from './raw-libraries';
import { writeReport, type Row } from './report';
import { timeSender } from './sender';
import { imageLayout } from './image-layout';
import { timeStartup, timeBigMessage } from './startup-memory';
import { timeVerifierStage } from './verifier-stage';
import { option, percentile, textOption } from './stats';

if (process.argv.includes('--help')) {
  console.log(
    'pnpm bench [--answers 20] [--steady 10] [--backlog 5000] [--scale 3000] [--requests 300]\n' +
      '           [--profile DIR] [--stages pickup,drain,fresh,scale,sender,startup,big] [--no-write]',
  );
  process.exit(0);
}
const ANSWERS = option('answers', 20);
const STEADY_SECONDS = option('steady', 10);
const BACKLOG = option('backlog', 5000);
const SCALE = option('scale', 3000);
const REQUESTS = option('requests', 300);
const PROFILE_DIR = textOption('profile');
/** e.g. --stages pickup,drain: only those (pickup, drain, fresh, scale, sender, startup, big) */
const STAGES = textOption('stages')?.split(',');
const runs = (stage: string) => !STAGES || STAGES.includes(stage);
const ALL_IN_ONE = 'services/all-in-one/src/main.ts';
const services = (service: string) => `services/${service}/src/main.ts`;

const rows: Row[] = [];
const row = (entry: Row) => {
  rows.push(entry);
  console.log(
    `${entry.stage}: ${entry.product}${entry.raw ? ` | raw ${entry.raw}` : ''}${entry.ratio ? ` | ${entry.ratio}` : ''} | target ${entry.target}: ${entry.met ? 'met' : 'NOT met'}`,
  );
};
const fmt = (n: number, digits = 0) => n.toFixed(digits);
const stopAll = (products: RunningProduct[]) => Promise.all(products.map((p) => p.stop()));

const loadBefore = os.loadavg();
const backends = await startBackends();
const { stack, engine } = backends;
const mailbox = SYSTEM_DEFAULTS.mailbox;
const envFor = (extra: Record<string, string> = {}) =>
  systemEnv(
    { redisUrl: backends.redis.url, stack, webhookUrl: engine.url },
    {
      RC_LOG_LEVEL: 'error',
      RC_SYNC_INTERVAL: '60s',
      RC_VERIFY_RATE_LIMIT: 'off',
      RC_SENDER_RATE_LIMIT: 'off',
      RC_SEND_RATE_LIMIT: 'off',
      ...extra,
    },
  );
try {
  // 1. Pickup: lone answers, then a steady 10 answers/s, against a bare IDLE client.
  if (runs('pickup')) {
    const env = envFor();
    const product = await startProductProcess(ALL_IN_ONE, env);
    // The bare client watches its own copy of each answer (a second recipient of the same SMTP
    // delivery), so the product's removal cannot hide the message from it. It checks as the
    // poller does by default (RC_IMAP_CHECK_INTERVAL=250ms); a second one waits on IDLE alone.
    const [watched, idleOnly] = ['bench-watch@rc.example', 'bench-idle@rc.example'];
    const watcher = await watchIdle(stack.imap, stack.credentialsFor(watched), {
      checkEveryMs: 250,
    });
    const idleWatcher = await watchIdle(stack.imap, stack.credentialsFor(idleOnly));
    const lone = await makeAnswers(env, ANSWERS, 'lone');
    const idleBefore = watcher.existsAt.length;
    const sentAt: number[] = [];
    const loneMs = await timeAnswers(stack.smtp, engine, [mailbox, watched, idleOnly], lone, {
      everyMs: 0,
      onStored: (at) => sentAt.push(at),
    });
    // each lone answer is alone in the mailbox: its EXISTS is the first one after its 250
    const firstAfter = (seen: number[]) =>
      sentAt.map((at) => (seen.find((time) => time >= at) ?? NaN) - at);
    const idleMs = firstAfter(watcher.existsAt.slice(idleBefore));
    const idleAloneMs = firstAfter(idleWatcher.existsAt);
    idleWatcher.close();
    const steady = await makeAnswers(env, STEADY_SECONDS * 10, 'steady');
    const steadyMs = await timeAnswers(stack.smtp, engine, mailbox, steady, { everyMs: 100 });
    watcher.close();
    await product.stop();
    const idle50 = percentile(idleMs, 50);
    row({
      stage: `pickup, lone answers (n=${ANSWERS}), SMTP 250 → webhook`,
      product: `p50 ${fmt(percentile(loneMs, 50))} ms, p99 ${fmt(percentile(loneMs, 99))} ms`,
      raw:
        `bare IMAP client with IDLE and a NOOP every 250 ms sees EXISTS: p50 ${fmt(idle50)} ms, p99 ${fmt(percentile(idleMs, 99))} ms` +
        ` (with IDLE alone: p50 ${fmt(percentile(idleAloneMs, 50))} ms, p99 ${fmt(percentile(idleAloneMs, 99))} ms)`,
      ratio: `ours adds ${fmt(percentile(loneMs, 50) - idle50)} ms at p50`,
      target: 'p50 ≤ 450 ms, p99 ≤ 700 ms',
      met: percentile(loneMs, 50) <= 450 && percentile(loneMs, 99) <= 700,
    });
    row({
      stage: `pickup, steady 10 answers/s for ${STEADY_SECONDS} s`,
      product: `p50 ${fmt(percentile(steadyMs, 50))} ms, p99 ${fmt(percentile(steadyMs, 99))} ms`,
      target: 'p50 ≤ 450 ms, p99 ≤ 700 ms',
      met: percentile(steadyMs, 50) <= 450 && percentile(steadyMs, 99) <= 700,
    });
  }

  // 2. Backlog drain with `pnpm start`, beside raw single-core simpleParser on the same bytes.
  if (runs('drain')) {
    const env = envFor({ RC_BATCH_SIZE: '200' });
    const answers = await makeAnswers(env, BACKLOG, 'drain');
    await fillMailbox(backends, mailbox, answers);
    // before and after the drain, the better of the two: the machine's load varies
    const raws = answers.map((answer) => answer.raw);
    const rawBefore = await rawParseRate(raws);
    const drain = await timeDrain(backends, answers, async () => [
      await startProductProcess(ALL_IN_ONE, env, {
        nodeArgs: PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`] : [],
      }),
    ]);
    await stopAll(drain.products);
    const raw = Math.max(rawBefore, await rawParseRate(raws));
    const size = answers.reduce((sum, answer) => sum + answer.raw.length, 0) / answers.length;
    row({
      stage: `backlog drain, ${BACKLOG} answers (~${fmt(size / 1024, 1)} KB) with pnpm start`,
      product: `${fmt(drain.rate)} answers/s (ready → last webhook ${fmt(drain.drainMs)} ms, ${fmt(drain.cpuSeconds[0] ?? NaN, 1)} CPU s, Redis ${fmt(drain.redisCpuSeconds, 1)} CPU s and ${fmt(drain.redisCommands / BACKLOG)} commands per answer; first decision ${fmt(drain.firstDecisionMs)} ms after spawn)`,
      raw: `simpleParser, one core: ${fmt(raw)} messages/s`,
      ratio: `${fmt(drain.rate / raw, 2)}×`,
      target: '≥ 0.5×',
      met: drain.rate / raw >= 0.5,
    });
    row({
      stage: 'peak RSS during the drain (pnpm start, all four services)',
      product: `${fmt(drain.peakRssMb[0] ?? NaN)} MB`,
      target: '< 150 MB per service',
      met: (drain.peakRssMb[0] ?? Infinity) < 150,
    });
    console.log(
      'Redis commands per answer: ' +
        drain.commandsPerAnswer.map(([name, n]) => `${name} ${fmt(n, 1)}`).join(', '),
    );
    if (PROFILE_DIR)
      for (const file of readdirSync(PROFILE_DIR))
        console.log(summarizeProfile(join(PROFILE_DIR, file), 25));
  }

  // 3. Fresh answers (4/s) while the same backlog drains: they must not wait behind it.
  if (runs('fresh')) {
    const env = envFor({ RC_BATCH_SIZE: '200' });
    const answers = await makeAnswers(env, BACKLOG, 'flood');
    await fillMailbox(backends, mailbox, answers);
    const fresh = await makeAnswers(env, 400, 'fresh');
    let drained = false;
    let timing: Promise<number[]> = Promise.resolve([]);
    const drain = await timeDrain(backends, answers, async () => {
      const product = await startProductProcess(ALL_IN_ONE, env);
      timing = timeAnswers(stack.smtp, engine, mailbox, fresh, {
        everyMs: 250,
        until: () => drained,
      });
      return [product];
    });
    drained = true;
    const freshMs = await timing;
    await stopAll(drain.products);
    row({
      stage: `fresh answers (4/s, n=${freshMs.length}) during a ${BACKLOG}-answer backlog`,
      product: `p50 ${fmt(percentile(freshMs, 50))} ms, p99 ${fmt(percentile(freshMs, 99))} ms (backlog drained at ${fmt(drain.rate)}/s)`,
      target: 'p99 ≤ 1 s',
      met: percentile(freshMs, 99) <= 1000,
    });
  }

  // 4. Separate processes: one verifier, then two, behind one poller and one task-updater.
  if (runs('scale')) {
    const rates: number[] = [];
    const cpu: string[] = [];
    /** peak RSS of each service's process over the one-verifier drains (tsx, then bundles) */
    const serviceRss: string[] = [];
    let worstRss = 0;
    for (const [verifiers, bundled] of [
      [1, false],
      [2, false],
      [1, true],
    ] as const) {
      const main = (service: string) =>
        bundled ? join(imageLayout(), 'dist', service, 'main.js') : services(service);
      const env = envFor({ RC_BATCH_SIZE: '200' });
      const answers = await makeAnswers(env, SCALE, `scale${verifiers}${bundled ? 'b' : ''}`);
      await fillMailbox(backends, mailbox, answers);
      const consumers = await Promise.all([
        startProductProcess(main('task-updater'), env),
        ...Array.from({ length: verifiers }, () => startProductProcess(main('verifier'), env)),
      ]);
      const drain = await timeDrain(backends, answers, async () => [
        ...consumers,
        await startProductProcess(main('poller'), env),
      ]);
      await stopAll(drain.products);
      const names = ['task-updater', ...consumers.slice(1).map(() => 'verifier'), 'poller'];
      if (verifiers === 1)
        serviceRss.push(
          `${bundled ? 'bundles (the image)' : 'tsx'}: ` +
            drain.peakRssMb.map((mb, i) => `${names[i]} ${fmt(mb)} MB`).join(', '),
        );
      if (bundled) {
        worstRss = Math.max(...drain.peakRssMb);
        continue;
      }
      rates.push(drain.rate);
      cpu.push(
        `${verifiers} verifier(s), CPU s per process: ` +
          drain.cpuSeconds.map((s, i) => `${names[i]} ${fmt(s, 1)}`).join(', ') +
          `, Redis ${fmt(drain.redisCpuSeconds, 1)} in ${fmt(drain.drainMs / 1000, 1)} s`,
      );
    }
    const [one = NaN, two = NaN] = rates;
    row({
      stage: `separate processes, ${SCALE} answers: 2 verifiers vs 1`,
      product: `${fmt(two)} vs ${fmt(one)} answers/s`,
      raw: cpu.join('; '),
      ratio: `${fmt(two / one, 2)}×`,
      target: '≥ 1.7×',
      met: two / one >= 1.7,
    });
    const stage: string[] = [];
    const stageRates: number[] = [];
    for (const verifiers of [1, 2]) {
      const env = envFor({ RC_BATCH_SIZE: '200' });
      const answers = await makeAnswers(env, SCALE, `stage${verifiers}`);
      const result = await timeVerifierStage(backends, env, mailbox, answers, verifiers, services);
      stageRates.push(result.rate);
      stage.push(
        `${verifiers}: ${fmt(result.rate)}/s, CPU s per verifier ` +
          result.cpuSeconds.map((s) => fmt(s, 1)).join(' + ') +
          `, Redis ${fmt(result.redisCpuSeconds, 1)}`,
      );
    }
    const [stageOne = NaN, stageTwo = NaN] = stageRates;
    row({
      stage: `the verifier stage alone, ${SCALE} queued answers: 2 verifier processes vs 1`,
      product: `${fmt(stageTwo)} vs ${fmt(stageOne)} answers/s`,
      raw: stage.join('; '),
      ratio: `${fmt(stageTwo / stageOne, 2)}×`,
      target: '≥ 1.7×',
      met: stageTwo / stageOne >= 1.7,
    });
    row({
      stage: `peak RSS per service during the ${SCALE}-answer drain (separate processes)`,
      product: serviceRss.join('; '),
      target: '< 150 MB per service',
      met: worstRss < 150,
    });
  }

  // 5. Sender: request emails through the API beside a raw pooled nodemailer loop.
  if (runs('sender')) {
    const sender = await timeSender(backends, envFor(), REQUESTS);
    row({
      stage: `sender, ${REQUESTS} request emails (API → SMTP 250)`,
      product: `${fmt(sender.productRate)} emails/s`,
      raw: `pooled nodemailer, same bytes, same server: ${fmt(sender.rawRate)}/s`,
      ratio: `${fmt(sender.productRate / sender.rawRate, 2)}×`,
      target: '≥ 0.8×',
      met: sender.productRate / sender.rawRate >= 0.8,
    });
  }

  // 6. Start-up of the built bundles.
  if (runs('startup')) {
    const startup = await timeStartup(envFor());
    for (const [service, ms] of startup)
      row({
        stage: `start-up to ready, node dist/${service}/main.js`,
        product: `${fmt(ms)} ms`,
        target: '≤ 1 s',
        met: ms <= 1000,
      });
  }

  // 7. A 20 MB message through `pnpm start`.
  if (runs('big')) {
    const big = await timeBigMessage(backends, envFor({ RC_MAX_MESSAGE_BYTES: '31457280' }));
    row({
      stage: `a ${fmt(big.sizeMb, 1)} MB message through pnpm start`,
      product: `peak RSS +${fmt(big.rssRiseMb)} MB (${fmt(big.rssRiseMb / big.sizeMb, 1)}× its size)`,
      target: '≤ 3× its size',
      met: big.rssRiseMb <= 3 * big.sizeMb,
    });
  }
} finally {
  await backends.stop();
}
if (!process.argv.includes('--no-write')) writeReport(rows, process.argv.slice(2), loadBefore);
