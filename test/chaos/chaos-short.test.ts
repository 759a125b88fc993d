import { rm } from 'node:fs/promises';
import { seedRequests } from '@rc/all-in-one';
import { failures, formatReport, runChaos, SHORT_PROFILE } from '@rc/testkit/chaos';
import { describe, expect, it } from 'vitest';

/**
 * The chaos run in CI, scaled down (`pnpm chaos` runs the full one): 100 answers and 10 API
 * requests while every kind of service is killed with SIGKILL (the active poller twice), Redis
 * is killed and restarted from its AOF, Dovecot restarts, SMTP refuses, the engine is sick and
 * then down for longer than the retry budget, followed by `rc dlq replay --all`.
 */
describe('chaos, short', () => {
  it('loses no answer, decides nothing twice, and leaves mailbox and queues empty', async () => {
    const report = await runChaos(SHORT_PROFILE, { seedRequests });
    console.log(formatReport(report));
    expect(failures(report)).toEqual([]);
    await rm(report.logDir, { recursive: true, force: true }); // kept when the run failed
    expect(report.answers).toBe(SHORT_PROFILE.answers);
    // the poller that took over did so within the lease's promise (issue 10: 5 s)
    for (const ms of report.failoversMs) expect(ms).toBeLessThan(5_000);
  }, 150_000);
});
