import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  allRules,
  hasBinary,
  headingAnchors,
  knownSeries,
  metricNamesIn,
  readRepo,
  readYaml,
  repoPath,
} from './deploy-helpers';

/*
 * scripts/bootstrap.sh installs Debian's `prometheus` (promtool) for CI; a developer machine
 * without it still runs the checks below that need no binary.
 */
const promtool = hasBinary('promtool');

function runPromtool(...args: string[]): string {
  return execFileSync('promtool', args, {
    cwd: repoPath('deploy/prometheus'),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

describe('deploy/prometheus', () => {
  it.skipIf(!promtool)('rules pass promtool check rules', () => {
    expect(runPromtool('check', 'rules', 'rules.yml')).toMatch(/SUCCESS: \d+ rules found/);
  });

  it.skipIf(!promtool)('rules pass their unit tests (promtool test rules)', () => {
    expect(runPromtool('test', 'rules', 'rules.test.yml')).toContain('SUCCESS');
  });

  it('every alert is unit-tested, firing at least once', () => {
    const tests = (
      readYaml('deploy/prometheus/rules.test.yml') as {
        tests: { alert_rule_test?: { alertname: string; exp_alerts: unknown[] }[] }[];
      }
    ).tests.flatMap((test) => test.alert_rule_test ?? []);
    const fired = new Set(tests.filter((t) => t.exp_alerts.length > 0).map((t) => t.alertname));
    const alerts = allRules().flatMap((rule) => (rule.alert ? [rule.alert] : []));
    expect(alerts.filter((alert) => !fired.has(alert))).toEqual([]);
  });

  it('every alert has a severity, a summary and a runbook section in docs/operations.md', () => {
    const anchors = headingAnchors(readRepo('docs/operations.md'));
    for (const rule of allRules().filter((r) => r.alert)) {
      expect(['warning', 'critical'], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
      const anchor = rule.annotations?.runbook_url?.replace(/^docs\/operations\.md#/, '');
      expect(anchor, rule.alert).toBe(rule.alert!.toLowerCase());
      expect(anchors.has(anchor!), `no heading "${rule.alert}" in operations.md`).toBe(true);
    }
  });

  it('every expression names a metric we export or a recorded series', async () => {
    const { known } = await knownSeries();
    const unknown = allRules()
      .flatMap((rule) => metricNamesIn(rule.expr))
      .filter((name) => !known.has(name));
    expect(unknown).toEqual([]);
  });

  it('the metric-name parser sees through functions, label matchers and keywords', () => {
    expect(
      metricNamesIn(
        'sum by (queue) (rate(rc_a_total{result=~"x|y"}[5m] offset 1h)) > 0.5 unless on (queue) rc:b:max and up',
      ),
    ).toEqual(['rc_a_total', 'rc:b:max', 'up']);
  });

  it('the scrape job gives the labels the rules use, on pods the manifests label', () => {
    const config = readYaml('deploy/prometheus/scrape-config.yml') as {
      scrape_configs: {
        job_name: string;
        relabel_configs: { source_labels: string[]; regex?: string; target_label?: string }[];
      }[];
    };
    const [job] = config.scrape_configs;
    expect(job!.job_name).toBe('remote-completion');
    expect(readRepo('deploy/prometheus/rules.yml')).toContain(`up{job="${job!.job_name}"}`);
    const relabel = (source: string) =>
      job!.relabel_configs.find((r) => r.source_labels.includes(source));
    expect(relabel('__meta_kubernetes_pod_label_app_kubernetes_io_component')?.target_label).toBe(
      'service',
    );
    expect(relabel('__meta_kubernetes_pod_label_app_kubernetes_io_part_of')?.regex).toBe(
      'remote-completion',
    );
    expect(relabel('__meta_kubernetes_pod_container_port_name')?.regex).toBe('http');
  });
});
