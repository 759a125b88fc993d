import { parseDuration, sectionOf, type ServiceRole } from '@rc/runtime';
import { engineConfigSection } from '@rc/task-updater';
import { EXIT, type Command, type Output } from '../command';
import { runChecks, type CheckLine } from '../doctor/check';
import { configLines, effectiveConfig } from '../doctor/effective-config';
import { doctorChecks } from '../doctor/plan';
import { doctorResources } from '../doctor/resources';
import { loadCliConfig } from '../load-config';

const ROLES: readonly ServiceRole[] = ['sender', 'poller', 'verifier', 'task-updater'];
const LABELS: Record<CheckLine['status'], string> = {
  ok: 'ok  ',
  warn: 'WARN',
  fail: 'FAIL',
  skip: 'skip',
};

function rolesOf(values: unknown, out: Output): ServiceRole[] | undefined {
  const named = Array.isArray(values) ? values.map(String) : [];
  if (named.length === 0) return [...ROLES];
  const unknown = named.filter((name) => !ROLES.includes(name as ServiceRole));
  if (unknown.length === 0) return named as ServiceRole[];
  const message = `--service ${unknown.join(', ')}: must be one of ${ROLES.join(', ')}`;
  out.result(false, { error: message }, `rc doctor: ${message}`);
  return undefined;
}

function printLine(out: Output, line: CheckLine): void {
  const fix = line.fix ? ` → fix: ${line.fix}` : '';
  out.event('check', { ...line }, `${LABELS[line.status]} ${line.check}: ${line.detail}${fix}`);
}

/**
 * SPEC 3.6 `rc doctor`: every connection the services would open, one line each with what is
 * wrong and how to fix it. Reads the configuration exactly as the services do.
 */
export const doctor: Command = {
  name: ['doctor'],
  summary: 'check every configured connection; one line per check with the fix',
  usage: '[--send-test ADDRESS] [--config] [--service NAME]… [--timeout 10s]',
  details: [
    'Checks Redis (reachable, persistence), SMTP or Graph sending, the IMAP or Graph mailbox',
    '(TLS, certificate, login, folders), the OAuth2 token refresh and the engine, as the services',
    'named by --service (default: all four) would use them. Each check has its own --timeout.',
    '--send-test ADDRESS also sends a real test email through the configured transport.',
    '--config prints the effective configuration, every secret masked, and checks nothing.',
    'The webhook engine is probed with OPTIONS (never a signed POST); Release with',
    'GET /api/v1/releases and the configured credentials.',
  ],
  options: {
    'send-test': { type: 'string' },
    config: { type: 'boolean' },
    service: { type: 'string', multiple: true },
    timeout: { type: 'string' },
  },
  async run({ io, out, values }) {
    const roles = rolesOf(values.service, out);
    if (!roles) return EXIT.failed;
    const timeoutMs = parseDuration(String(values.timeout ?? '10s'));
    if (timeoutMs === null || timeoutMs <= 0) {
      out.result(
        false,
        { error: '--timeout must be a duration like 10s' },
        'rc doctor: --timeout must be a duration like 10s',
      );
      return EXIT.failed;
    }
    const engineSection = engineConfigSection();
    const config = loadCliConfig(io, out, roles, [engineSection]);
    if (!config) return EXIT.config;
    if (values.config) {
      const shown = effectiveConfig(config, io.env);
      out.result(
        true,
        { command: 'doctor --config', config: shown },
        configLines(shown).join('\n'),
      );
      return EXIT.ok;
    }
    const resources = doctorResources(config);
    try {
      const checks = doctorChecks(resources, roles, {
        engine: sectionOf(config, engineSection),
        sendTestTo: typeof values['send-test'] === 'string' ? values['send-test'] : undefined,
      });
      const lines = await runChecks(checks, timeoutMs);
      for (const line of lines) printLine(out, line);
      const failed = lines.filter((line) => line.status === 'fail').length;
      const warnings = lines.filter((line) => line.status === 'warn').length;
      const summary = `${lines.length} checks: ${failed} failed, ${warnings} warning${warnings === 1 ? '' : 's'}`;
      out.result(
        failed === 0,
        { command: 'doctor', checks: lines.length, failed, warnings },
        failed === 0 ? `All connections work (${summary}).` : `rc doctor: ${summary}.`,
      );
      return failed === 0 ? EXIT.ok : EXIT.failed;
    } finally {
      resources.close();
    }
  },
};
