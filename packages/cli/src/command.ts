import type { ParseArgsConfig } from 'node:util';
import { EXIT_CONFIG, type ConfigEnv } from '@rc/runtime';

/** SPEC 3.6: 0 all good, 1 a check or action failed, 78 bad configuration (sysexits EX_CONFIG). */
export const EXIT = { ok: 0, failed: 1, config: EXIT_CONFIG } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Where a command reads and writes: the process's, or a test's. */
export interface CliIo {
  env: ConfigEnv;
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  /** aborts a command that waits (Ctrl-C during a sign-in) */
  signal?: AbortSignal;
}

/**
 * What a command prints. With `--json` stdout carries JSON only, one object per line: events a
 * person must see while the command runs (`{"event":"prompt",…}`), then exactly one result
 * (`{"ok":true|false,…}`) as the last line. Without it, the same as sentences.
 */
export interface Output {
  readonly json: boolean;
  event(event: string, fields: Record<string, unknown>, text: string): void;
  result(ok: boolean, fields: Record<string, unknown>, text: string): void;
  /** a line on stderr, never in the JSON stream */
  note(text: string): void;
}

export function createOutput(io: CliIo, json: boolean): Output {
  const line = (value: unknown) => io.stdout.write(`${JSON.stringify(value)}\n`);
  return {
    json,
    event(event, fields, text) {
      if (json) line({ event, ...fields });
      else io.stdout.write(`${text}\n`);
    },
    result(ok, fields, text) {
      if (json) line({ ok, ...fields });
      else (ok ? io.stdout : io.stderr).write(`${text}\n`);
    },
    note(text) {
      io.stderr.write(`${text}\n`);
    },
  };
}

export interface CommandContext {
  io: CliIo;
  out: Output;
  /** the command's own options, parsed by node:util parseArgs */
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

/** One command: a file in commands/ and one line in commands/index.ts. */
export interface Command {
  /** the words after `rc`, e.g. ['oauth2', 'login'] */
  name: readonly string[];
  summary: string;
  /** the arguments after the name, e.g. '[--device-code-url URL]' */
  usage?: string;
  /** lines shown by `rc help <command>` */
  details?: readonly string[];
  options?: ParseArgsConfig['options'];
  positionals?: boolean;
  run(context: CommandContext): Promise<ExitCode>;
}
