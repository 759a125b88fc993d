import {
  ConfigError,
  loadConfig,
  type Config,
  type ConfigSection,
  type ServiceRole,
} from '@rc/runtime';
import type { CliIo, Output } from './command';

/**
 * The services' configuration, read from the same environment with the same
 * checks. Every problem is printed at once as a `config error:` line; undefined means exit 78.
 */
export function loadCliConfig(
  io: CliIo,
  out: Output,
  roles: ServiceRole[],
  sections: readonly ConfigSection<unknown>[] = [],
): Config | undefined {
  try {
    return loadConfig(io.env, roles, sections);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // A command's own section may name a variable an area reader already complained about.
    const problems = [...new Set(error.problems)];
    for (const problem of problems) io.stderr.write(`config error: ${problem}\n`);
    if (out.json) out.result(false, { code: error.code, problems }, '');
    return undefined;
  }
}
