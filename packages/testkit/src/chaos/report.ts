import type { MailStack } from '../mail-stack';
import type { ChaosEngine } from './chaos-engine';
import { mailboxCount, readBacklog, type Backlog } from './inspect';
import type { ChaosProfile } from './profile';
import type { Action } from './traffic';

/** What a chaos run proves (lost, conflicting, left over) and what it measured. */
export interface ChaosReport {
  profile: string;
  seed: number;
  answers: number;
  /** answered requests with no 2xx engine call */
  lost: string[];
  /** requests the engine was told two different decisions for */
  conflicting: string[];
  /** requests decided otherwise than their one answer said */
  wrong: string[];
  /** API requests whose assignee never got the email */
  unsent: string[];
  mailboxLeft: number;
  backlog: Backlog;
  engineCalls: { applied: number; refused: number; hung: number };
  /** 2xx calls beyond one per request (same decision, same Idempotency-Key) */
  redelivered: number;
  failoversMs: number[];
  redisRecovery: { readyMs: number; firstCallMs: number };
  replaySummary: string;
  restarts: Record<string, number>;
  durationMs: number;
  logDir: string;
}

export interface JudgeInput {
  profile: ChaosProfile;
  seed: number;
  engine: ChaosEngine;
  answered: Map<string, Action | 'both'>;
  apiRequestIds: string[];
  env: Record<string, string>;
  stack: MailStack;
  failovers: number[];
  redisRecovery: { readyMs: number; firstCallMs: number };
  replaySummary: string;
  restarts: Record<string, number>;
  durationMs: number;
  logDir: string;
}

const EVENT_OF: Record<Action, string> = { complete: 'task.completed', fail: 'task.failed' };

export async function judge(input: JudgeInput): Promise<ChaosReport> {
  const applied = input.engine.applied();
  const lost: string[] = [];
  const conflicting: string[] = [];
  const wrong: string[] = [];
  for (const [requestId, action] of input.answered) {
    const calls = applied.get(requestId) ?? [];
    const decisions = new Set(calls.map((call) => `${call.event}|${call.comment}`));
    if (calls.length === 0) lost.push(requestId);
    else if (decisions.size > 1) conflicting.push(requestId);
    else if (action !== 'both' && calls[0]?.event !== EVENT_OF[action]) wrong.push(requestId);
  }
  const unsent: string[] = [];
  for (const requestId of input.apiRequestIds) {
    if ((await mailboxCount(input.stack, `${requestId}@corp.example`)) === 0)
      unsent.push(requestId);
  }
  const calls = input.engine.calls;
  const appliedCount = calls.filter((call) => call.status === 200).length;
  return {
    profile: input.profile.name,
    seed: input.seed,
    answers: input.answered.size,
    lost,
    conflicting,
    wrong,
    unsent,
    mailboxLeft: await mailboxCount(input.stack, input.env.RC_MAILBOX_ADDRESS ?? ''),
    backlog: await readBacklog(input.env),
    engineCalls: {
      applied: appliedCount,
      refused: calls.filter((call) => typeof call.status === 'number' && call.status !== 200)
        .length,
      hung: calls.filter((call) => call.status === 'hung').length,
    },
    redelivered: appliedCount - applied.size,
    failoversMs: input.failovers,
    redisRecovery: input.redisRecovery,
    replaySummary: input.replaySummary,
    restarts: input.restarts,
    durationMs: input.durationMs,
    logDir: input.logDir,
  };
}

/** Why the run failed, one line each; empty when it passed. */
export function failures(report: ChaosReport): string[] {
  const problems: string[] = [];
  const list = (ids: string[]) => ids.slice(0, 5).join(', ') + (ids.length > 5 ? ', …' : '');
  if (report.lost.length) problems.push(`${report.lost.length} lost: ${list(report.lost)}`);
  if (report.conflicting.length)
    problems.push(`${report.conflicting.length} conflicting: ${list(report.conflicting)}`);
  if (report.wrong.length) problems.push(`${report.wrong.length} wrong: ${list(report.wrong)}`);
  if (report.unsent.length)
    problems.push(`${report.unsent.length} requests never emailed: ${list(report.unsent)}`);
  if (report.mailboxLeft > 0) problems.push(`${report.mailboxLeft} messages left in the mailbox`);
  for (const [queue, count] of Object.entries(report.backlog.pending))
    if (count > 0) problems.push(`${count} jobs left in ${queue}`);
  if (report.backlog.unreplayedDeadLetters > 0)
    problems.push(`${report.backlog.unreplayedDeadLetters} dead letters not replayed`);
  if (report.failoversMs.length < 2) problems.push('fewer than two poller failovers measured');
  return problems;
}

export function formatReport(report: ChaosReport): string {
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return [
    `chaos ${report.profile} (seed ${report.seed}) in ${seconds(report.durationMs)}:`,
    `  answers ${report.answers}: lost ${report.lost.length}, conflicting ${report.conflicting.length}, wrong ${report.wrong.length}; API requests never emailed ${report.unsent.length}`,
    `  mailbox left ${report.mailboxLeft}; queues left ${JSON.stringify(report.backlog.pending)}; dead letters replayed ${report.backlog.replayedDeadLetters}, not replayed ${report.backlog.unreplayedDeadLetters}`,
    `  engine calls: applied ${report.engineCalls.applied} (re-delivered ${report.redelivered}), refused ${report.engineCalls.refused}, hung ${report.engineCalls.hung}`,
    `  poller failovers: ${report.failoversMs.map(seconds).join(', ')}`,
    `  Redis restart: every service ready ${seconds(report.redisRecovery.readyMs)} after Redis was back, next engine call after ${seconds(report.redisRecovery.firstCallMs)}`,
    `  dlq replay: ${report.replaySummary}`,
    `  restarts: ${JSON.stringify(report.restarts)}; logs ${report.logDir}`,
  ].join('\n');
}
