import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { registry } from '@rc/runtime';
import { parse, parseAllDocuments } from 'yaml';
import { oauth2Metrics } from '../packages/microsoft/src/oauth2-metrics';
// registers rc_graph_notifications_total, as the poller does when it loads
import '../services/poller/src/adapters/graph-notifications';

export const repoPath = (path: string) => fileURLToPath(new URL(`../${path}`, import.meta.url));
export const readRepo = (path: string) => readFileSync(repoPath(path), 'utf8');
export const readYaml = (path: string): unknown => parse(readRepo(path));
export const readYamlDocuments = (path: string): unknown[] =>
  parseAllDocuments(readRepo(path)).map((document) => document.toJS() as unknown);

/** Whether a binary is on PATH (the deploy tests need promtool and docker-compose). */
export function hasBinary(name: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Series Prometheus makes itself, not our processes. */
const PROMETHEUS_SERIES = new Set(['up']);

function sampleNames(name: string, type: string): string[] {
  return type === 'histogram' || type === 'summary'
    ? [`${name}_bucket`, `${name}_sum`, `${name}_count`, name]
    : [name];
}

/** Every metric name the processes export, read from the registry itself. */
export async function exportedMetrics(): Promise<Map<string, string>> {
  oauth2Metrics();
  const metrics = await registry.getMetricsAsJSON();
  return new Map(metrics.map((metric) => [metric.name, String(metric.type)]));
}

/** Sample names a query may use: exported, recorded by rules.yml, or Prometheus's. */
export async function knownSeries(): Promise<{ known: Set<string> }> {
  const known = new Set(PROMETHEUS_SERIES);
  for (const [name, type] of await exportedMetrics())
    for (const sample of sampleNames(name, type)) known.add(sample);
  for (const record of recordingRules()) known.add(record);
  return { known };
}

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function ruleGroups(): { name: string; rules: Rule[] }[] {
  return (readYaml('deploy/prometheus/rules.yml') as { groups: { name: string; rules: Rule[] }[] })
    .groups;
}

export const allRules = (): Rule[] => ruleGroups().flatMap((group) => group.rules);
export const recordingRules = (): string[] =>
  allRules().flatMap((rule) => (rule.record ? [rule.record] : []));

const NOT_METRICS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers that are not functions, keywords,
 * label names (inside `{}` or `by (…)`), numbers or durations.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/(\d[\w.]*)|([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    const [, number, identifier, call] = match;
    if (number !== undefined || identifier === undefined || call !== undefined) continue;
    if (!NOT_METRICS.has(identifier.toLowerCase())) names.push(identifier);
  }
  return names;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const [, heading] of markdown.matchAll(/^#{1,6} +(.+?) *$/gm)) {
    anchors.add(
      heading!
        .toLowerCase()
        .replace(/[^\p{L}\p{N} _-]/gu, '')
        .replace(/ /g, '-'),
    );
  }
  return anchors;
}
