import { listDeadLetters, type DeadLetterEntry } from '@rc/runtime';
import { EXIT, type Command } from '../command';
import { loadCliConfig } from '../load-config';
import { filterProblems, stringOption, withQueues } from './dlq-queues';

function lineOf(entry: DeadLetterEntry): string {
  const about = entry.requestId ? ` request ${entry.requestId}` : '';
  const replayed = entry.replayedAt ? ` replayed ${entry.replayedAt}` : '';
  const attempts = entry.attempts !== undefined ? ` after ${entry.attempts} attempts` : '';
  return `${entry.failedAt}  ${entry.id}  ${entry.code ?? '-'}${attempts}${about}${replayed}: ${entry.error}`;
}

/** SPEC 3.6 `rc dlq list`: the dead letters, newest first, as GET /v1/dead-letters lists them. */
export const dlqList: Command = {
  name: ['dlq', 'list'],
  summary: 'list dead letters, newest first: what failed, where, and why',
  usage: '[--queue send|inbound|update|results] [--code CODE] [--limit N]',
  details: [
    'Reads the dead-letter queue in Redis (RC_REDIS_URL, RC_QUEUE_PREFIX) directly. --limit',
    'defaults to 50. Each line: failed at, id (what rc dlq replay takes), code, attempts, the',
    'request it was about, when it was replayed, and the error.',
  ],
  options: {
    queue: { type: 'string' },
    code: { type: 'string' },
    limit: { type: 'string' },
  },
  async run({ io, out, values }) {
    const limit = values.limit === undefined ? 50 : Number(values.limit);
    const problems = filterProblems(values);
    if (!Number.isInteger(limit) || limit < 1 || limit > 100_000)
      problems.push(
        `--limit must be a whole number from 1 to 100000, not "${String(values.limit)}"`,
      );
    if (problems.length > 0) {
      out.result(false, { problems }, `rc dlq list: ${problems.join('; ')}`);
      return EXIT.failed;
    }
    const config = loadCliConfig(io, out, []);
    if (!config) return EXIT.config;
    const items = await withQueues(config, (queues) =>
      listDeadLetters(queues.deadLetter, {
        queue: stringOption(values.queue),
        code: stringOption(values.code),
        limit,
      }),
    );
    const text = items.length === 0 ? 'no dead letters' : items.map(lineOf).join('\n');
    out.result(true, { items }, text);
    return EXIT.ok;
  },
};
