/**
 * Every PromQL query switchyard ships: each Grafana panel target, template
 * variable and annotation of deploy/grafana/dashboards/*.json, and each
 * recording and alerting rule of deploy/prometheus/rules/*.yml — read from
 * the files Grafana and Prometheus load, not from the code that wrote them.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYaml } from 'yaml';

const deployDir = join(dirname(fileURLToPath(import.meta.url)), '..');
export const DASHBOARDS_DIR = join(deployDir, 'grafana', 'dashboards');
export const RULES_DIR = join(deployDir, 'prometheus', 'rules');

/**
 * panel: a graph's target, must return series. variable: a template
 * variable's label_values() selector, must return series. record: a
 * recording rule, must return series. alert and annotation: normally empty
 * (they fire on trouble); each metric selector inside must return series.
 */
export type QueryKind = 'panel' | 'variable' | 'record' | 'alert' | 'annotation';

export interface ShippedQuery {
  kind: QueryKind;
  /** Where it is, for messages: file and panel title / rule name. */
  source: string;
  expr: string;
  /** Values for the template variables of its dashboard (the "All" value, else the current one). */
  variables: Record<string, string>;
  /** For recording rules: the series name it records. */
  records?: string;
}

interface DashboardJson {
  title?: string;
  panels?: Array<{ title?: string; targets?: Array<{ refId?: string; expr?: string }>; panels?: DashboardJson['panels'] }>;
  templating?: { list?: Array<{ name: string; includeAll?: boolean; allValue?: string; current?: { value?: unknown }; query?: unknown; definition?: string }> };
  annotations?: { list?: Array<{ name?: string; expr?: string }> };
}

function variableValues(board: DashboardJson): Record<string, string> {
  const values: Record<string, string> = {};
  for (const v of board.templating?.list ?? []) {
    const current = v.current?.value;
    const first = Array.isArray(current) ? current[0] : current;
    values[v.name] = v.includeAll && v.allValue ? v.allValue : typeof first === 'string' && first !== '$__all' ? first : '.*';
  }
  return values;
}

/** The selector of `label_values(<selector>, <label>)` (Grafana's query, not PromQL). */
export function labelValuesSelector(query: string): string | undefined {
  return /^\s*label_values\(\s*(.+?)\s*,\s*[A-Za-z_][A-Za-z0-9_]*\s*\)\s*$/.exec(query)?.[1];
}

/** The queries of one dashboard JSON text. */
export function dashboardQueries(file: string, text: string): ShippedQuery[] {
  const board = JSON.parse(text) as DashboardJson;
  const variables = variableValues(board);
  const out: ShippedQuery[] = [];
  const visit = (panels: DashboardJson['panels']) => {
    for (const p of panels ?? []) {
      for (const t of p.targets ?? []) {
        if (t.expr) out.push({ kind: 'panel', source: `${file}: panel "${p.title ?? '?'}" ${t.refId ?? ''}`.trim(), expr: t.expr, variables });
      }
      visit(p.panels);
    }
  };
  visit(board.panels);
  for (const v of board.templating?.list ?? []) {
    const query = typeof v.query === 'string' ? v.query : (v.query as { query?: string } | undefined)?.query ?? v.definition ?? '';
    const selector = labelValuesSelector(query);
    if (selector) out.push({ kind: 'variable', source: `${file}: variable $${v.name}`, expr: selector, variables });
  }
  for (const a of board.annotations?.list ?? []) {
    if (a.expr) out.push({ kind: 'annotation', source: `${file}: annotation "${a.name ?? '?'}"`, expr: a.expr, variables });
  }
  return out;
}

interface RuleFile {
  groups?: Array<{ name: string; rules?: Array<{ record?: string; alert?: string; expr: string }> }>;
}

/** The queries of one rule file's YAML text. */
export function ruleQueries(file: string, text: string): ShippedQuery[] {
  const parsed = parseYaml(text) as RuleFile;
  return (parsed.groups ?? []).flatMap((g) => (g.rules ?? []).map((r): ShippedQuery => r.record
    ? { kind: 'record', source: `${file}: ${g.name}/${r.record}`, expr: r.expr, variables: {}, records: r.record }
    : { kind: 'alert', source: `${file}: ${g.name}/${r.alert ?? '?'}`, expr: r.expr, variables: {} }));
}

/** Everything shipped: dashboards, then rules. */
export function shippedQueries(dashboardsDir = DASHBOARDS_DIR, rulesDir = RULES_DIR): ShippedQuery[] {
  const boards = readdirSync(dashboardsDir).filter((f) => f.endsWith('.json')).sort()
    .flatMap((f) => dashboardQueries(`grafana/dashboards/${f}`, readFileSync(join(dashboardsDir, f), 'utf8')));
  const rules = readdirSync(rulesDir).filter((f) => /\.ya?ml$/.test(f)).sort()
    .flatMap((f) => ruleQueries(`prometheus/rules/${f}`, readFileSync(join(rulesDir, f), 'utf8')));
  return [...boards, ...rules];
}
