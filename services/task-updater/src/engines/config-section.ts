import { CodedError } from '@rc/contracts';
import { type Config, type ConfigSection } from '@rc/runtime';
import type { EngineDefinition } from './engine';
import { ENGINES } from './registry';

/** `config.sections.engine`: which engine RC_ENGINE named, and its settings as it read them. */
export interface EngineSelection {
  engine: string;
  settings: unknown;
}

export const ENGINE_SECTION = 'engine';

/**
 * RC_ENGINE, one of the registered engines' names, then that engine's own settings. Loaded by
 * every process that runs the task-updater (and may be by others, which then only get the
 * values checked for form).
 */
export function engineConfigSection(
  engines: readonly EngineDefinition<unknown>[] = ENGINES,
): ConfigSection<EngineSelection> {
  const names = engines.map((engine) => engine.name);
  return {
    name: ENGINE_SECTION,
    read(reader, roles) {
      const engine = reader.oneOf('RC_ENGINE', names, names[0] ?? 'webhook');
      const definition = engines.find((candidate) => candidate.name === engine);
      const needed = roles.includes('task-updater');
      return { engine, settings: definition?.settings(reader, needed) };
    },
  };
}

/** The engine chosen at start-up, created from its settings; a clear error if none was read. */
export function selectedEngine(
  config: Config,
  engines: readonly EngineDefinition<unknown>[] = ENGINES,
): { definition: EngineDefinition<unknown>; settings: unknown } {
  const selection = config.sections[ENGINE_SECTION] as EngineSelection | undefined;
  if (!selection) {
    throw new CodedError(
      'the task-updater has no engine settings: load the configuration with its section, e.g. loadConfig(env, roles, [engineConfigSection()]) or runFromEnvironment(roles, starters, name, [engineConfigSection()])',
      'CONFIG_INVALID',
    );
  }
  const definition = engines.find((engine) => engine.name === selection.engine);
  if (!definition) {
    throw new CodedError(
      `RC_ENGINE=${selection.engine} was read by a config section that knows it, but the task-updater was started without it: pass the same engines to engineConfigSection and startTaskUpdater`,
      'CONFIG_INVALID',
    );
  }
  return { definition, settings: selection.settings };
}
