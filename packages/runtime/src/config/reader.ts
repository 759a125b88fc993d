import { readFileSync } from 'node:fs';
import { parseDuration } from '../duration';
import { parseRateLimit, type RateLimit } from './rate-limit';

/** The environment as read: `process.env`, or a plain object in tests. */
export type ConfigEnv = Record<string, string | undefined>;

/**
 * Everything before the last `@` counts as credentials. A value that fails to parse is echoed,
 * and its password may hold `/` or `@` (base64, generated secrets) that a stricter pattern
 * would stop at, leaking the rest.
 */
export function redactUrl(value: string): string {
  return value.replace(/^([a-z][a-z0-9+.-]*:\/*)?.*@/i, '$1***@');
}

/**
 * Reads variables and collects what is wrong with them instead of stopping at the first, so an
 * operator fixes every problem in one go. Each area reader and each section uses one instance.
 * A problem line names the variable, says what is wrong and gives an example; it never holds a
 * secret (values of secrets are never echoed, URLs are redacted).
 */
export class ConfigReader {
  readonly problems: string[] = [];
  constructor(private readonly env: ConfigEnv) {}

  /** `NAME: what, e.g. NAME=example` (or another variable's example, `exampleName`). */
  problem(name: string, what: string, example: string, exampleName = name): void {
    this.problems.push(`${name}: ${what}, e.g. ${exampleName}=${example}`);
  }

  /** Raw value, from NAME or NAME_FILE; empty strings count as absent. */
  raw(name: string): string | undefined {
    const direct = this.env[name];
    const file = this.env[`${name}_FILE`];
    if (direct !== undefined && direct !== '' && file) {
      this.problem(
        name,
        `set either ${name} or ${name}_FILE, not both`,
        `${file} alone`,
        `${name}_FILE`,
      );
      return undefined;
    }
    if (file) {
      const text = this.file(`${name}_FILE`, file, `/run/secrets/${name.slice(3).toLowerCase()}`);
      return text?.trim();
    }
    return direct === '' ? undefined : direct;
  }

  /** The text of a file a variable names, or a problem saying why it cannot be read. */
  file(name: string, path: string, example: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      this.problem(name, `cannot read ${path} (${code})`, example);
      return undefined;
    }
  }

  string(name: string, fallback?: string): string | undefined {
    return this.raw(name)?.trim() ?? fallback;
  }

  required(name: string, example: string, why: string): string {
    const value = this.string(name);
    if (value === undefined) this.problem(name, `is required ${why}`, example);
    return value ?? '';
  }

  boolean(name: string, fallback: boolean): boolean {
    const value = this.string(name);
    if (value === undefined) return fallback;
    if (/^(true|1|yes|on)$/i.test(value)) return true;
    if (/^(false|0|no|off)$/i.test(value)) return false;
    this.problem(name, `must be true or false, not "${value}"`, 'true');
    return fallback;
  }

  integer(name: string, fallback: number, min: number, max: number, example: string): number {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < min || parsed > max) {
      this.problem(name, `must be a whole number from ${min} to ${max}, not "${value}"`, example);
      return fallback;
    }
    return parsed;
  }

  duration(name: string, fallback: string, example: string): number {
    const value = this.string(name) ?? fallback;
    const parsed = parseDuration(value);
    if (parsed === null) {
      this.problem(name, `must be a duration like 30s, 5m, 7d, not "${value}"`, example);
      return parseDuration(fallback) ?? 0;
    }
    return parsed;
  }

  /** A duration, or null for `off`; below `minMs` is a problem. */
  durationOrOff(name: string, fallback: string, minMs: number, example: string): number | null {
    const value = this.string(name) ?? fallback;
    if (value.trim().toLowerCase() === 'off') return null;
    const parsed = parseDuration(value);
    if (parsed === null || parsed < minMs) {
      this.problem(
        name,
        `must be a duration of at least ${minMs} ms like ${example}, or off, not "${value}"`,
        example,
      );
      return parseDuration(fallback);
    }
    return parsed;
  }

  rateLimit(name: string, fallback: string, example: string): RateLimit | null {
    const value = this.string(name) ?? fallback;
    const parsed = parseRateLimit(value);
    if (parsed === undefined) {
      this.problem(name, `must be <count>/<duration> like 20/1h, or off, not "${value}"`, example);
      return parseRateLimit(fallback) ?? null;
    }
    return parsed;
  }

  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
    const value = this.string(name);
    if (value === undefined) return fallback;
    const lower = value.toLowerCase() as T;
    if (!allowed.includes(lower)) {
      this.problem(name, `must be one of ${allowed.join(', ')}, not "${value}"`, fallback);
      return fallback;
    }
    return lower;
  }

  /** A URL of one of `protocols` (`https:`), or undefined (and a problem when required). */
  url(
    name: string,
    protocols: string[],
    example: string,
    required: boolean,
    why = '',
  ): string | undefined {
    const value = required ? this.required(name, example, why) || undefined : this.string(name);
    if (value === undefined) return undefined;
    try {
      const parsed = new URL(value);
      if (!protocols.includes(parsed.protocol)) throw new Error('protocol');
      return value;
    } catch {
      this.problem(
        name,
        `must be a ${protocols.join(' or ')} URL, not "${redactUrl(value)}"`,
        example,
      );
      return undefined;
    }
  }

  /** Checks that `value` (read from `name`) looks like an e-mail address. */
  email(name: string, value: string | undefined, example: string): void {
    if (value !== undefined && value !== '' && !/^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/.test(value)) {
      this.problem(name, `must be an e-mail address, not "${value}"`, example);
    }
  }
}
