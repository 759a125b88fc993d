import { EXIT, type Command } from '../command';

export function usageOf(command: Command): string {
  return ['rc', ...command.name, command.usage ?? ''].join(' ').trim();
}

/** `rc help [command]`: every command, or one in detail. */
export function helpCommand(commands: () => readonly Command[]): Command {
  return {
    name: ['help'],
    summary: 'list the commands, or explain one: rc help oauth2 login',
    usage: '[command]',
    positionals: true,
    async run({ out, positionals }) {
      const all = commands();
      const wanted = positionals.join(' ');
      const shown = wanted ? all.filter((command) => command.name.join(' ') === wanted) : all;
      if (shown.length === 0) {
        out.result(
          false,
          { error: `no command "${wanted}"` },
          `rc: no command "${wanted}"; rc help lists them`,
        );
        return EXIT.failed;
      }
      const lines = wanted
        ? shown.flatMap((command) => [
            usageOf(command),
            '',
            command.summary,
            ...(command.details ?? []),
          ])
        : [
            'usage: rc <command> [--json]',
            '',
            ...shown.map((command) => `  ${usageOf(command).padEnd(44)} ${command.summary}`),
            '',
            'Configuration: the RC_* variables of the services. --json: JSON lines on stdout, the',
            'result last. Exit codes: 0 all good, 1 a check or action failed, 78 bad configuration.',
          ];
      out.result(
        true,
        {
          commands: shown.map((command) => ({
            name: command.name.join(' '),
            usage: usageOf(command),
            summary: command.summary,
          })),
        },
        lines.join('\n'),
      );
      return EXIT.ok;
    },
  };
}
