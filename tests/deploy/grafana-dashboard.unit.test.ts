import { readFileSync } from 'node:fs';
import { ServiceMetrics } from '@countersign/platform';
import { parser } from '@prometheus-io/lezer-promql';
import { describe, expect, it } from 'vitest';

interface Target {
  expr: string;
  datasource?: { uid?: string };
}
interface Panel {
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
}
interface Variable {
  name: string;
  type: string;
  query: string | { query: string };
}
interface Dashboard {
  panels: Panel[];
  templating: { list: Variable[] };
}

const dashboard = JSON.parse(
  readFileSync(new URL('../../deploy/grafana/countersign.json', import.meta.url), 'utf8'),
) as Dashboard;

const allPanels = (panels: Panel[]): Panel[] =>
  panels.flatMap((panel) => [panel, ...allPanels(panel.panels ?? [])]);
const graphs = allPanels(dashboard.panels).filter((panel) => panel.type !== 'row');
const targets = graphs.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({ panel: panel.title, ...target })),
);

/** Every series name a service exposes: what ServiceMetrics registers, histograms expanded. */
function exportedSeries(): Set<string> {
  const metrics = new ServiceMetrics({ service: 'dashboard-check' });
  const names = new Set<string>();
  for (const metric of metrics.registry.getMetricsAsArray()) {
    // At run time the type is a name ('histogram'); the typings call it an enum.
    const type = String(metric.type);
    const suffixes =
      type === 'histogram'
        ? ['_bucket', '_sum', '_count']
        : type === 'summary'
          ? ['', '_sum', '_count']
          : [''];
    for (const suffix of suffixes) names.add(`${metric.name}${suffix}`);
  }
  return names;
}

/** Grafana's interval variables, which PromQL does not know, replaced by a duration. */
const withIntervals = (expr: string) => expr.replace(/\$__(rate_interval|interval|range)/g, '5m');

/** The metric names an expression selects; throws on a PromQL syntax error. */
function metricNamesIn(expr: string): string[] {
  const promql = withIntervals(expr);
  const names: string[] = [];
  parser.parse(promql).iterate({
    enter(node) {
      if (node.type.isError) {
        throw new Error(`not PromQL at ${node.from}: ${promql}`);
      }
      if (node.name === 'VectorSelector') {
        const identifier = node.node.getChild('Identifier');
        if (identifier) names.push(promql.slice(identifier.from, identifier.to));
      }
    },
  });
  return names;
}

const exported = exportedSeries();
/** Grafana's reference to the datasource variable (a plain string, not a template literal). */
const datasourceVariable = ['$', '{datasource}'].join('');

describe('deploy/grafana/countersign.json', () => {
  it('reads from a Prometheus datasource chosen by a variable', () => {
    const variable = dashboard.templating.list.find((v) => v.name === 'datasource');
    expect(variable).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(graphs.length).toBeGreaterThan(0);
    for (const panel of graphs) {
      expect(panel.datasource, panel.title).toEqual({
        type: 'prometheus',
        uid: datasourceVariable,
      });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
    for (const target of targets) expect(target.datasource?.uid).toBe(datasourceVariable);
  });

  it('queries only metrics the services export', () => {
    for (const target of targets) {
      const names = metricNamesIn(target.expr);
      expect(names.length, `${target.panel}: ${target.expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported, `${target.panel}: ${name}`).toContain(name);
    }
    for (const variable of dashboard.templating.list) {
      const query = typeof variable.query === 'string' ? variable.query : variable.query.query;
      const metric = /^label_values\((\w+),/.exec(query)?.[1];
      if (metric) expect(exported).toContain(metric);
    }
  });

  it('shows every Countersign metric', () => {
    const used = new Set(targets.flatMap((target) => metricNamesIn(target.expr)));
    const families = [...exported].filter(
      (name) =>
        name.startsWith('countersign_') ||
        (name.startsWith('http_server_') && !name.endsWith('_sum')),
    );
    const unused = families.filter((name) => {
      const family = name.replace(/_(bucket|count|sum)$/, '');
      return ![...used].some((u) => u === name || u.replace(/_(bucket|count|sum)$/, '') === family);
    });
    expect(unused).toEqual([]);
  });

  it('catches a name the services do not export', () => {
    expect(metricNamesIn('sum(rate(countersign_no_such_metric[$__rate_interval]))')).toEqual([
      'countersign_no_such_metric',
    ]);
    expect(exported).not.toContain('countersign_no_such_metric');
    expect(() => metricNamesIn('sum(rate(x[5m])')).toThrow(/not PromQL/);
  });
});
