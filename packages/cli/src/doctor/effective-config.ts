import type { Config, ConfigEnv } from '@rc/runtime';

export const MASK = '***';

/** Fields holding a secret, by name: apiToken, refreshToken, clientSecret, certificatePem, … */
const SECRET_FIELD = /(password|secret|token|pem)$/i;
/** Variables holding a secret: their values are searched for in the output as a last guard. */
const SECRET_VARIABLE = /^RC_.*(PASSWORD|SECRET|TOKEN|KEY|KEYS)$/;

/** `redis://user:pass@host` → `redis://user:***@host` */
function maskUrlPassword(text: string): string {
  return text.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/@:]*:)[^@/]*@/i, `$1${MASK}@`);
}

function masked(value: unknown, field: string): unknown {
  if (value === undefined || value === null) return value;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return MASK;
  if (typeof value === 'string') return SECRET_FIELD.test(field) ? MASK : maskUrlPassword(value);
  if (Array.isArray(value)) return value.map((item) => masked(item, field));
  if (value instanceof Map) return masked(Object.fromEntries(value), field);
  if (typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([name, inner]) => [name, masked(inner, name)]),
    );
  }
  return value;
}

/** Pieces of secret variables long enough to recognise: `k1:secret,k2:other` gives both secrets. */
function secretValues(env: ConfigEnv): string[] {
  return Object.entries(env)
    .filter(([name, value]) => SECRET_VARIABLE.test(name) && value)
    .flatMap(([, value]) => [value!, ...value!.split(/[,:\s]+/)])
    .filter((piece) => piece.length >= 8);
}

/**
 * The configuration as the services would run with it (defaults filled in), every secret
 * replaced by `***`: by field name, by type (keys are bytes), passwords inside URLs, and finally
 * any text of a secret variable that still shows up anywhere (a secret typed into the wrong
 * variable, say).
 */
export function effectiveConfig(config: Config, env: ConfigEnv): Record<string, unknown> {
  const shown = masked(config, '') as Record<string, unknown>;
  let text = JSON.stringify(shown);
  for (const secret of secretValues(env)) {
    text = text.split(JSON.stringify(secret).slice(1, -1)).join(MASK);
  }
  return JSON.parse(text) as Record<string, unknown>;
}

/** `smtp.host = mail.corp.example`, one line per setting. */
export function configLines(value: unknown, path = ''): string[] {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value).flatMap(([name, inner]) =>
      configLines(inner, path ? `${path}.${name}` : name),
    );
  }
  if (Array.isArray(value) && value.some((item) => item !== null && typeof item === 'object')) {
    return value.flatMap((item, index) => configLines(item, `${path}[${index}]`));
  }
  if (value === undefined) return [];
  return [`${path} = ${typeof value === 'string' ? value : JSON.stringify(value)}`];
}
