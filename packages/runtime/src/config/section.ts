import type { ConfigReader } from './reader';
import type { ServiceRole } from './roles';

/**
 * Settings a service owns itself (e.g. the task-updater's engines), read with the same reader as
 * the rest so that their problems are reported together with everyone else's. The result lands
 * in `config.sections[name]`.
 */
export interface ConfigSection<T> {
  name: string;
  read(reader: ConfigReader, roles: ServiceRole[]): T;
}

/** A section's settings, typed by the section that read them; undefined when it was not loaded. */
export function sectionOf<T>(
  config: { sections: Readonly<Record<string, unknown>> },
  section: ConfigSection<T>,
): T | undefined {
  return Object.hasOwn(config.sections, section.name)
    ? (config.sections[section.name] as T)
    : undefined;
}
