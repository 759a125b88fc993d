import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@rc/testkit';

export interface Row {
  stage: string;
  product: string;
  /** the raw library doing the same work in the same run */
  raw?: string;
  ratio?: string;
  target: string;
  met: boolean;
}

/** Hand-written notes below this line survive each `pnpm bench`. */
const NOTES_MARKER = '<!-- everything below is kept by pnpm bench -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');

/** Prints the table and writes docs/benchmarks.md (the hand-written notes below are kept). */
export function writeReport(
  rows: readonly Row[],
  args: readonly string[],
  loadBefore: number[],
): void {
  const table = [
    '| stage | product | raw library, same run | ratio | target | met |',
    '|---|---|---|---|---|---|',
    ...rows.map(
      (row) =>
        `| ${cell(row.stage)} | ${cell(row.product)} | ${cell(row.raw ?? '')} | ${cell(row.ratio ?? '')} | ${cell(row.target)} | ${row.met ? 'yes' : '**no**'} |`,
    ),
  ].join('\n');
  console.log(`\n${table}\n`);
  const file = join(REPO_ROOT, 'docs/benchmarks.md');
  const previous = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const notes = previous.includes(NOTES_MARKER)
    ? previous.slice(previous.indexOf(NOTES_MARKER))
    : `${NOTES_MARKER}\n`;
  const cpus = os.cpus();
  const doc = `# Benchmarks

Written by \`pnpm bench${args.length ? ` ${args.join(' ')}` : ''}\` on ${new Date().toISOString().slice(0, 16)}Z (issue 9).

## Machine
${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.type()} ${os.release()}, Node ${process.version}.
Load average when the run began: ${loadBefore.map((load) => load.toFixed(2)).join(', ')} (the cores are shared with
Redis, Dovecot, the SMTP relay, the load generator and, on this machine, other people's work).

## Method
Everything runs on this machine: a private Redis, Dovecot (IMAP, LMTP) behind an SMTP relay that
answers 250 only once Dovecot stored the message, and a webhook receiver as the release engine.
The product runs as its own processes, started as \`pnpm start\` starts it (\`node --import tsx
services/all-in-one/src/main.ts\`; separate services likewise), with the abuse caps lifted:
\`RC_VERIFY_RATE_LIMIT=off\`, \`RC_SENDER_RATE_LIMIT=off\`, \`RC_SEND_RATE_LIMIT=off\`. Every check
still runs. Each stage is measured beside the raw library doing the same work in the same run:
- pickup: an answer's SMTP 250 (stored) → the engine's webhook; beside it a bare IMAP client
  doing what the poller does (IDLE, and NOOP every 250 ms) on its own copy of each answer (a
  second recipient of the same delivery), and one on IDLE alone; lone answers one at a time,
  then a steady 10 answers/s;
- backlog: answers APPENDed before the product starts; the rate counts from the process's
  \`/readyz\` to the last webhook; beside it mailparser's \`simpleParser\` on the same bytes, one
  message after another on one core (the same mailparser the product loads);
- fresh answers during a backlog: 4 answers/s sent by SMTP while the backlog drains;
- separate processes: one poller, one task-updater, and one or two verifier processes; and
  the verifier stage alone (the inbound queue filled and paused, then drained by one or two
  verifier processes); peak RSS of each service's process, under tsx and as built bundles;
- sender: POST /v1/completion-requests (16 in flight) until the SMTP server accepted every
  email, beside a pooled nodemailer (5 connections, the sender's settings) sending copies of
  one of those emails to the same server;
- start-up: spawn → first 200 from \`/readyz\` for \`node dist/<service>/main.js\` (\`pnpm build\`;
  the bundles run beside a flat production node_modules made as the Dockerfile makes it),
  median of three;
- memory: peak RSS (VmHWM) of the \`pnpm start\` process over the drain; a ~20 MB answer (an
  attachment) with RSS sampled every 10 ms against just before.

## Numbers
${table}

${notes}`;
  writeFileSync(file, doc);
  console.log(`wrote ${file}`);
}
