import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import { ConfigError } from './config-error';
import { isKnownVariable, KNOWN_VARIABLES } from './known-variables';
import type { ConfigEnv } from './reader';

const EXAMPLE = 'RC_CONFIG_FILE=/etc/remote-completion/config.yaml';

/** What the config file adds to the environment, and what is wrong with its keys. */
export interface ConfigFileResult {
  env: ConfigEnv;
  problems: string[];
}

function edits(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known variable a mistyped key most likely meant (two edits at most), for the fix. */
function nearest(key: string): string | undefined {
  const upper = key.toUpperCase();
  // REDIS_URL: the prefix forgotten
  const wanted = upper.startsWith('RC_') || !isKnownVariable(`RC_${upper}`) ? upper : `RC_${upper}`;
  const base = wanted.endsWith('_FILE') ? wanted.slice(0, -5) : wanted;
  let best: { name: string; distance: number } | undefined;
  for (const name of KNOWN_VARIABLES) {
    const distance = edits(base, name);
    if (distance <= 2 && (!best || distance < best.distance)) best = { name, distance };
  }
  if (!best) return undefined;
  return wanted.endsWith('_FILE') ? `${best.name}_FILE` : best.name;
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/** The file's text parsed, or the one line that says why it cannot be used. */
function parseFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([`RC_CONFIG_FILE: cannot read ${path} (${code}), e.g. ${EXAMPLE}`]);
  }
  // The YAML library only where a file is read (RC_CONFIG_FILE): start-up pays nothing else.
  const { parse, YAMLError } = createRequire(import.meta.url)('yaml') as typeof Yaml;
  let document: unknown;
  try {
    // The failsafe schema keeps every value a string, as in the environment: `8080`, `true`
    // and a hex key such as `1234e5` stay exactly as written instead of becoming numbers.
    document = parse(text, { schema: 'failsafe', prettyErrors: false });
  } catch (error) {
    // Only the position and the kind: the YAML library's message quotes the line, which may
    // hold a secret.
    const where = error instanceof YAMLError ? ` at line ${lineAt(text, error.pos[0])}` : '';
    const kind = error instanceof YAMLError ? ` (${error.code})` : '';
    throw new ConfigError([
      `RC_CONFIG_FILE: ${path} is not valid YAML${where}${kind}, e.g. ${EXAMPLE} holding lines like RC_REDIS_URL: redis://redis:6379`,
    ]);
  }
  if (document === null || document === undefined || document === '') return {};
  if (typeof document !== 'object' || Array.isArray(document)) {
    throw new ConfigError([
      `RC_CONFIG_FILE: ${path} must be a YAML mapping of RC_* names to values, e.g. RC_REDIS_URL: redis://redis:6379`,
    ]);
  }
  return document as Record<string, unknown>;
}

/**
 * RC_CONFIG_FILE (SPEC 3.1): a YAML mapping of RC_* variables, read under the environment. A
 * variable set in the environment wins together with its `_FILE` twin, so that
 * `RC_SMTP_PASSWORD` in the environment replaces `RC_SMTP_PASSWORD_FILE` in the file rather than
 * clashing with it. Keys that are not variables the product reads are problems (a mistyped name
 * would otherwise be ignored without a word), except `x-` keys, which hold YAML anchors as in
 * docker-compose files. Values are never echoed: the file holds secrets.
 */
export function withConfigFile(env: ConfigEnv): ConfigFileResult {
  const path = env.RC_CONFIG_FILE?.trim();
  if (!path) return { env, problems: [] };
  const entries = parseFile(path);
  const problems: string[] = [];
  const fromFile: ConfigEnv = {};
  const inEnvironment = (name: string) => {
    const base = name.endsWith('_FILE') ? name.slice(0, -5) : name;
    return [base, `${base}_FILE`].some((each) => env[each] !== undefined && env[each] !== '');
  };
  for (const [key, value] of Object.entries(entries)) {
    if (key.startsWith('x-')) continue;
    if (key === 'RC_CONFIG_FILE') {
      problems.push(
        `${key}: cannot be set inside the config file ${path}; set it in the environment, e.g. ${EXAMPLE}`,
      );
    } else if (!isKnownVariable(key)) {
      const guess = nearest(key);
      problems.push(
        `${key}: not a variable remote-completion reads (in ${path})${guess ? `; did you mean ${guess}?` : ''}, e.g. ${guess ?? 'RC_REDIS_URL'}: …`,
      );
    } else if (value !== null && typeof value === 'object') {
      problems.push(
        `${key}: must be a single value in ${path}, not a list or mapping, e.g. ${key}: "…"`,
      );
    } else if (!inEnvironment(key)) {
      fromFile[key] = value === null || value === undefined ? undefined : String(value);
    }
  }
  return { env: { ...env, ...fromFile }, problems };
}
