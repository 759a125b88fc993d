import { describe, expect, it } from 'vitest';
import { exportedMetrics, knownSeries, metricNamesIn, readRepo } from './deploy-helpers';

interface Panel {
  type: string;
  title: string;
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: { expr: string }[];
}

const dashboard = JSON.parse(readRepo('deploy/grafana/remote-completion.json')) as {
  uid: string;
  panels: Panel[];
  templating: { list: { name: string; type: string; definition?: string }[] };
};
const queries = dashboard.panels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, expr: target.expr })),
);
const used = new Set(queries.flatMap((query) => metricNamesIn(query.expr)));
const baseName = (sample: string) => sample.replace(/_(bucket|sum|count)$/, '');

describe('deploy/grafana dashboard', () => {
  it('has queries, each naming at least one metric', () => {
    expect(queries.length).toBeGreaterThan(20);
    for (const query of queries) expect(metricNamesIn(query.expr), query.panel).not.toEqual([]);
  });

  it('every query names a metric we export', async () => {
    const { known } = await knownSeries();
    const unknown = queries.flatMap((query) =>
      metricNamesIn(query.expr)
        .filter((name) => !known.has(name))
        .map((name) => `${query.panel}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  it('the queue variable reads an exported metric', async () => {
    const exported = await exportedMetrics();
    const queue = dashboard.templating.list.find((variable) => variable.name === 'queue');
    const metric = /label_values\((\w+),/.exec(queue?.definition ?? '')?.[1];
    expect(exported.has(metric!)).toBe(true);
  });

  it('shows every rc_ metric we export', async () => {
    const shown = new Set([...used].map(baseName));
    const ours = [...(await exportedMetrics()).keys()].filter(
      (name) => !name.startsWith('rc_process_'),
    );
    expect(ours.filter((n) => !shown.has(n))).toEqual([]);
  });

  it('panels do not overlap on the 24-column grid', () => {
    const cells = new Set<string>();
    for (const { gridPos, title } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
      for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
        for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
          expect(cells.has(`${x},${y}`), `${title} overlaps at ${x},${y}`).toBe(false);
          cells.add(`${x},${y}`);
        }
    }
  });
});
