import { ConfigError, EXIT_CONFIG } from './config-error';
import { withConfigFile } from './config-file';
import { readCoreConfig, type CoreConfig } from './core';
import { readEncryptionKeys, type EncryptionConfig } from './encryption-keys';
import { readGraphConfig, type GraphConfig } from './graph';
import { readHttpConfig, type HttpConfig } from './http';
import { readMailConfig, type MailConfig } from './mail';
import { readOAuth2Config, type OAuth2Config } from './oauth2';
import { readPollerConfig, type PollerConfig } from './poller';
import { ConfigReader, type ConfigEnv } from './reader';
import type { ServiceRole } from './roles';
import type { ConfigSection } from './section';
import { readTrustConfig, type TrustConfig } from './trust';

/** Settings read by sections the process loaded, by section name (see `sectionOf`). */
export interface SectionsConfig {
  sections: Readonly<Record<string, unknown>>;
}

/**
 * The whole configuration: the intersection of the areas, so a service or adapter can declare
 * the slice it needs (`SmtpConfig & OAuth2Config`) and still be handed the whole.
 */
export type Config = CoreConfig &
  HttpConfig &
  MailConfig &
  OAuth2Config &
  GraphConfig &
  EncryptionConfig &
  TrustConfig &
  PollerConfig &
  SectionsConfig;

/**
 * Configuration comes from the environment over RC_CONFIG_FILE (SPEC 3.1), is validated once at
 * start-up, and every problem is reported at once, one line each, so an operator fixes them in
 * one go.
 * `NAME_FILE` reads a secret from a file (Docker/Kubernetes secrets). Each section's problems
 * are reported together with the rest.
 */
export function loadConfig(
  env: ConfigEnv,
  roles: ServiceRole[],
  sections: readonly ConfigSection<unknown>[] = [],
): Config {
  const file = withConfigFile(env);
  const read = new ConfigReader(file.env);
  read.problems.push(...file.problems);
  const core = readCoreConfig(read, roles);
  const mail = readMailConfig(read, roles);
  const encryption: EncryptionConfig = { encryptionKeys: readEncryptionKeys(read) };
  const oauth2 = readOAuth2Config(read, roles, mail, encryption);
  const graph = readGraphConfig(read, roles, mail);
  const trust = readTrustConfig(read);
  const poller = readPollerConfig(read);
  const http = readHttpConfig(read, roles);
  const loaded: Record<string, unknown> = {};
  for (const section of sections) {
    if (Object.hasOwn(loaded, section.name))
      throw new Error(`config section "${section.name}" is loaded twice`);
    loaded[section.name] = section.read(read, roles);
  }
  if (read.problems.length > 0) throw new ConfigError(read.problems);
  return {
    ...core,
    ...mail,
    ...encryption,
    ...oauth2,
    ...graph,
    ...trust,
    ...poller,
    ...http,
    sections: loaded,
  };
}

/** Loads configuration or prints every problem, one line each, and exits with code 78. */
export function loadConfigOrExit(
  roles: ServiceRole[],
  env: ConfigEnv = process.env,
  sections: readonly ConfigSection<unknown>[] = [],
): Config {
  try {
    return loadConfig(env, roles, sections);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    for (const problem of error.problems) process.stderr.write(`config error: ${problem}\n`);
    process.exit(EXIT_CONFIG);
  }
}
