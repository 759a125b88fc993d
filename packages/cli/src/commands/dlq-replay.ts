import {
  replayAllDeadLetters,
  replayDeadLetter,
  type ReplayError,
  type ReplayResult,
} from '@rc/runtime';
import { EXIT, type Command, type Output } from '../command';
import { loadCliConfig } from '../load-config';
import { filterProblems, stringOption, withQueues } from './dlq-queues';

function describe(result: ReplayResult | ReplayError): string {
  return result.ok
    ? `${result.id} → ${result.queue} (${result.action})`
    : `${result.id}: ${result.reason}: ${result.problems.join('; ')}`;
}

function progress(out: Output, done: number, total: number, result: ReplayResult | ReplayError) {
  const verb = result.ok ? 'replayed' : result.reason === 'already_replayed' ? 'skipped' : 'failed';
  out.event('progress', { done, total, result }, `${verb} ${done}/${total} ${describe(result)}`);
}

/**
 * SPEC 3.6 `rc dlq replay ID|--all`: dead letters back into their original queues, as
 * POST /v1/dead-letters/{id}/replay does, one at a time. With --all a dead letter that cannot
 * be replayed is reported and the others go on; the exit code is 1 if any failed.
 */
export const dlqReplay: Command = {
  name: ['dlq', 'replay'],
  summary: 'replay one dead letter, or all of them, into the queue it came from',
  usage: 'ID | --all [--queue Q] [--code CODE] [--force]',
  details: [
    'A replay keeps the original job id, so idempotency holds: an update already applied is',
    'not applied again, and the engine gets the same Idempotency-Key. An invalid payload is',
    'refused (it would only fail again). A dead letter replayed before is skipped unless',
    '--force. --all prints a line per dead letter (replayed 12/40 …) and a summary.',
  ],
  options: {
    all: { type: 'boolean' },
    force: { type: 'boolean' },
    queue: { type: 'string' },
    code: { type: 'string' },
  },
  positionals: true,
  async run({ io, out, values, positionals }) {
    const all = values.all === true;
    const problems = filterProblems(values);
    if (all === (positionals.length === 1) || positionals.length > 1)
      problems.push('name one dead-letter ID, or --all');
    if (!all && (values.queue !== undefined || values.code !== undefined))
      problems.push('--queue and --code go with --all');
    if (problems.length > 0) {
      out.result(false, { problems }, `rc dlq replay: ${problems.join('; ')}`);
      return EXIT.failed;
    }
    const config = loadCliConfig(io, out, []);
    if (!config) return EXIT.config;
    const force = values.force === true;
    if (!all) {
      const result = await withQueues(config, (queues) =>
        replayDeadLetter(queues, positionals[0] as string, { force }),
      );
      out.result(
        result.ok,
        { result },
        `${result.ok ? 'replayed' : 'not replayed'} ${describe(result)}`,
      );
      return result.ok ? EXIT.ok : EXIT.failed;
    }
    const summary = await withQueues(config, (queues) =>
      replayAllDeadLetters(queues, {
        force,
        queue: stringOption(values.queue),
        code: stringOption(values.code),
        onProgress: (done, total, result) => progress(out, done, total, result),
      }),
    );
    const ok = summary.failed.length === 0;
    const text = [
      `replayed ${summary.replayed} of ${summary.total}`,
      `${summary.skipped} skipped (replayed before; --force replays them)`,
      `${summary.failed.length} failed${ok ? '' : `: ${summary.failed.map((f) => f.id).join(', ')}`}`,
    ].join(', ');
    out.result(ok, { ...summary }, text);
    return ok ? EXIT.ok : EXIT.failed;
  },
};
