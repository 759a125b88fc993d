import { parseArgs } from 'node:util';
import { errorCodeOf } from '@rc/contracts';
import { createOutput, EXIT, type CliIo, type Command, type ExitCode } from './command';
import { COMMANDS } from './commands';

const GLOBAL_FLAGS = new Set(['--json', '--help', '-h']);

/** The command whose words start `words`; the longest wins (`dlq replay` over `dlq`). */
function findCommand(words: readonly string[]): Command | undefined {
  return COMMANDS.filter((command) => command.name.every((word, i) => words[i] === word)).sort(
    (a, b) => b.name.length - a.name.length,
  )[0];
}

/**
 * `rc <command> [options] [--json]`. Global flags may stand anywhere; the command's words come
 * first among the rest. Returns the exit code instead of exiting, so tests run it in-process.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<ExitCode> {
  const json = argv.includes('--json');
  const out = createOutput(io, json);
  const rest = argv.filter((arg) => !GLOBAL_FLAGS.has(arg));
  const wantsHelp = argv.includes('--help') || argv.includes('-h');
  const command = rest.length === 0 ? findCommand(['help']) : findCommand(rest);
  if (!command) {
    const near = COMMANDS.filter((c) => c.name[0] === rest[0]).map((c) => `rc ${c.name.join(' ')}`);
    const hint = near.length > 0 ? `did you mean ${near.join(' or ')}?` : 'rc help lists them';
    out.result(
      false,
      { error: `unknown command "${rest.join(' ')}"` },
      `rc: unknown command "${rest.join(' ')}"; ${hint}`,
    );
    return EXIT.failed;
  }
  if (wantsHelp && command.name[0] !== 'help') {
    return (findCommand(['help']) as Command).run({
      io,
      out,
      values: {},
      positionals: [...command.name],
    });
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest.slice(command.name.length),
      options: command.options ?? {},
      allowPositionals: command.positionals ?? false,
      strict: true,
    });
  } catch (error) {
    const message = `${(error as Error).message}; see rc help ${command.name.join(' ')}`;
    out.result(false, { error: message }, `rc: ${message}`);
    return EXIT.failed;
  }
  try {
    return await command.run({ io, out, values: parsed.values, positionals: parsed.positionals });
  } catch (error) {
    const code = errorCodeOf(error);
    const message = error instanceof Error ? error.message : String(error);
    out.result(false, { code, error: message }, `rc ${command.name.join(' ')}: ${message}`);
    return code === 'CONFIG_INVALID' ? EXIT.config : EXIT.failed;
  }
}
