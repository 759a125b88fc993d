import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startMailStack } from '../mail-stack';
import { startRedis } from '../redis';
import { SYSTEM_DEFAULTS, systemEnv } from '../system';
import { sleep, waitUntil } from '../wait';
import { startChaosEngine } from './chaos-engine';
import { startFleet, type Fleet, type ServiceKind } from './fleet';
import { mailboxCount, readBacklog, replayAllDeadLetters, updatesInFlight } from './inspect';
import { seededRandom, type ChaosProfile } from './profile';
import { judge, type ChaosReport } from './report';
import { startSmtpGate } from './smtp-gate';
import { startTraffic, type SeededAnswerable } from './traffic';

export type SeedRequests = (
  env: Record<string, string>,
  count: number,
  idPrefix: string,
) => Promise<SeededAnswerable[]>;

export interface ChaosOptions {
  seed?: number;
  /** @rc/all-in-one's seedRequests (the testkit cannot import the services) */
  seedRequests: SeedRequests;
  log?: (line: string) => void;
}

const LAYOUT: Record<ServiceKind, number> = {
  sender: 1,
  poller: 2,
  verifier: 2,
  'task-updater': 2,
};

/**
 * The chaos run (issue 10): every service as its own process (two pollers, two verifiers, two
 * task-updaters) on real Redis with AOF, Dovecot and SMTP, answers and requests flowing while
 * processes are killed, Redis is killed and restarted, Dovecot restarts, SMTP refuses, the
 * engine is sick and then out for longer than the retry budget (then `rc dlq replay --all`).
 */
export async function runChaos(profile: ChaosProfile, options: ChaosOptions): Promise<ChaosReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const stamp = (what: string) => log(`[${((Date.now() - began) / 1000).toFixed(1)}s] ${what}`);
  const logDir = await mkdtemp(path.join(os.tmpdir(), 'rc-chaos-'));
  stamp(`${profile.name} run, seed ${seed}, logs in ${logDir}`);

  const [redis, stack, engine] = await Promise.all([
    startRedis({ appendonly: true }),
    startMailStack(),
    startChaosEngine(random),
  ]);
  const gate = await startSmtpGate(stack.smtp.port);
  let fleet: Fleet | undefined;
  try {
    const env: Record<string, string> = {
      ...systemEnv({ redisUrl: redis.url, stack, webhookUrl: engine.url }),
      RC_SMTP_PORT: String(gate.port),
      RC_RETRY_ATTEMPTS: String(profile.retry.attempts),
      RC_RETRY_BASE_DELAY: profile.retry.baseDelay,
      RC_WEBHOOK_TIMEOUT: profile.webhookTimeout,
      RC_BATCH_SIZE: '50',
      RC_SYNC_INTERVAL: '2s',
      RC_SHUTDOWN_TIMEOUT: '5s',
      RC_LOG_LEVEL: 'warn',
    };
    const runId = `c${seed.toString(36)}`;
    const seeded = await options.seedRequests(env, profile.answers, runId);
    const apiRequestIds = Array.from(
      { length: profile.apiRequests },
      (_, i) => `${runId}-api-${i}`,
    );
    fleet = await startFleet(env, LAYOUT, logDir);
    const services = fleet;
    await services.waitAllReady(120_000);
    stamp(`${services.members.length} processes ready`);

    const sender = () => services.of('sender')[0];
    const traffic = startTraffic({
      stack,
      mailbox: SYSTEM_DEFAULTS.mailbox,
      seeded,
      senderUrl: () => `http://127.0.0.1:${sender()?.port ?? 0}`,
      apiToken: env.RC_API_TOKEN ?? '',
      apiRequestIds,
      feedMs: profile.feedMs,
      random,
    });

    const failovers: number[] = [];
    const redisRecovery = { readyMs: -1, firstCallMs: -1 };
    let replaySummary = '';
    const moment = (from: number, to: number) => (from + random() * (to - from)) * profile.feedMs;
    const at = (ms: number, what: string, act: () => Promise<void>) =>
      sleep(ms).then(async () => {
        stamp(what);
        await act();
      });
    const crash = (kind: ServiceKind) => async () => {
      const members = services.of(kind);
      const victim = members[Math.floor(random() * members.length)];
      if (victim) await services.crash(victim, profile.restartDelayMs);
    };
    const killLeader = async () => {
      const leader = await waitUntil('a poller leading', () => services.leader(), 30_000, 100);
      const killed = leader.process;
      const killedAt = Date.now();
      const restarted = services.crash(leader, profile.restartDelayMs);
      // the standby, or the killed one's replacement: whichever live process leads first
      const next = await waitUntil(
        'another poller process leading',
        async () => {
          const now = await services.leader();
          return now && now.process !== killed ? now : undefined;
        },
        30_000,
        50,
      );
      failovers.push(Date.now() - killedAt);
      const who = next === leader ? `${next.name}'s replacement` : next.name;
      stamp(`${who} leads ${Date.now() - killedAt} ms after the kill of ${leader.name}`);
      await restarted;
    };
    const restartRedis = async () => {
      const before = engine.calls.length;
      await redis.restart({ kill: true, downMs: 1_000 });
      const upAt = Date.now();
      await services.waitAllReady(60_000);
      redisRecovery.readyMs = Date.now() - upAt;
      await waitUntil(
        'an engine call after the Redis restart',
        () => (engine.calls.slice(before).some((call) => call.at >= upAt) ? true : undefined),
        120_000,
        50,
      );
      redisRecovery.firstCallMs =
        (engine.calls.slice(before).find((call) => call.at >= upAt)?.at ?? upAt) - upAt;
      stamp(`Redis back: all ready after ${redisRecovery.readyMs} ms`);
    };
    const outageStart = 0.6 * profile.feedMs;
    const sickStart = moment(0.05, 0.6 - (profile.sickMs + 1_000) / profile.feedMs);

    const chaos = Promise.all([
      at(moment(0.05, 0.55), 'kill -9 sender', crash('sender')),
      at(moment(0.05, 0.55), 'kill -9 a verifier', crash('verifier')),
      at(moment(0.05, 0.55), 'kill -9 a task-updater', crash('task-updater')),
      at(moment(0.05, 0.25), 'kill -9 the active poller', killLeader),
      at(moment(0.65, 0.9), 'kill -9 the active poller again', killLeader),
      at(moment(0.1, 0.5), 'Redis kill -9 and restart', restartRedis),
      at(moment(0.05, 0.9), 'Dovecot restart', () => stack.restartDovecot()),
      at(moment(0.05, 0.5), `SMTP refusing for ${profile.smtpRefuseMs} ms`, () =>
        gate.refuseFor(profile.smtpRefuseMs),
      ),
      at(sickStart, `engine sick (500s, hangs) for ${profile.sickMs} ms`, async () => {
        engine.setMode('sick');
        await sleep(profile.sickMs);
        engine.setMode('ok');
      }),
      at(outageStart, `engine down for ${profile.outageMs} ms`, async () => {
        engine.setMode('down');
        await sleep(profile.outageMs);
        engine.setMode('ok');
        stamp('engine up; waiting for the retries to run out before the replay');
        await waitUntil(
          'updates settled into results or dead letters',
          async () => ((await updatesInFlight(env).catch(() => 1)) === 0 ? true : undefined),
          profile.drainTimeoutMs,
          500,
        ).catch(() => undefined);
        replaySummary = await replayAllDeadLetters(env);
        stamp(`rc dlq replay --all: ${replaySummary}`);
      }),
    ]);
    await Promise.all([traffic.done, chaos]);
    stamp('traffic and chaos done; draining');

    const expected = [...traffic.answered.keys()];
    await waitUntil(
      'every answer at the engine, mailbox and queues empty',
      async () => {
        const applied = engine.applied();
        if (expected.some((id) => !applied.has(id))) return undefined;
        if ((await mailboxCount(stack, SYSTEM_DEFAULTS.mailbox)) > 0) return undefined;
        const backlog = await readBacklog(env);
        return Object.values(backlog.pending).every((count) => count === 0) ? true : undefined;
      },
      profile.drainTimeoutMs,
      1_000,
    ).catch((error: Error) => stamp(error.message));
    await sleep(2_000); // a straggling duplicate call counts too
    return await judge({
      profile,
      seed,
      engine,
      answered: traffic.answered,
      apiRequestIds,
      env,
      stack,
      failovers,
      redisRecovery,
      replaySummary,
      durationMs: Date.now() - began,
      restarts: Object.fromEntries(services.members.map((m) => [m.name, m.starts - 1])),
      logDir,
    });
  } finally {
    await fleet?.stop();
    await Promise.allSettled([gate.stop(), engine.stop(), redis.stop(), stack.stop()]);
  }
}
