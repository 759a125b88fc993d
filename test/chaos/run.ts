import { rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { seedRequests } from '@rc/all-in-one';
import { failures, formatReport, FULL_PROFILE, runChaos, SHORT_PROFILE } from '@rc/testkit/chaos';

/**
 * `pnpm chaos [--short] [--answers N] [--runs N] [--seed S]`: the chaos run of issue 10 (see
 * packages/testkit/src/chaos/scenario.ts); exits 1 unless every run lost nothing, decided
 * nothing twice and left the mailbox and the queues empty.
 */
const { values } = parseArgs({
  options: {
    short: { type: 'boolean', default: false },
    answers: { type: 'string' },
    runs: { type: 'string', default: '1' },
    seed: { type: 'string' },
  },
});
const base = values.short ? SHORT_PROFILE : FULL_PROFILE;
const profile = values.answers ? { ...base, answers: Number(values.answers) } : base;
let failed = false;
for (let run = 1; run <= Number(values.runs); run++) {
  const report = await runChaos(profile, {
    seedRequests,
    ...(values.seed ? { seed: Number(values.seed) + run - 1 } : {}),
    log: (line) => console.log(line),
  });
  console.log(formatReport(report));
  const problems = failures(report);
  for (const problem of problems) console.log(`  FAILED: ${problem}`);
  // the services' logs are kept only for a run that failed
  if (problems.length === 0) await rm(report.logDir, { recursive: true, force: true });
  failed ||= problems.length > 0;
}
process.exit(failed ? 1 : 0);
