/**
 * A small vocabulary for Grafana dashboards as code: panels, rows, template
 * variables and annotations, laid out on Grafana's 24-column grid in the
 * order given. Only what the switchyard boards use; the output is plain
 * dashboard JSON (schemaVersion 39, Grafana ≥ 10) that provisioning loads.
 */

/** The datasource every panel uses; deploy/grafana/provisioning/datasources provisions it with this uid. */
export const DATASOURCE = { type: 'prometheus', uid: 'switchyard-prometheus' } as const;

export interface Query {
  expr: string;
  /** Legend template, e.g. `{{instance}}`. */
  legend?: string;
}

export interface PanelSpec {
  title: string;
  description?: string;
  /** Grid width out of 24. @default 12 */
  width?: number;
  /** Grid height in rows of 30 px. @default 8 */
  height?: number;
}

type Json = Record<string, unknown>;

export interface Panel {
  json: Json;
  width: number;
  height: number;
  row?: boolean;
}

function targets(queries: readonly Query[], extra: Json = {}): Json[] {
  return queries.map((q, i) => ({
    refId: String.fromCharCode(65 + i), datasource: DATASOURCE, expr: q.expr, legendFormat: q.legend ?? '__auto', range: true, ...extra,
  }));
}

function panel(type: string, spec: PanelSpec, rest: Json): Panel {
  return {
    width: spec.width ?? 12,
    height: spec.height ?? 8,
    json: { type, title: spec.title, ...(spec.description ? { description: spec.description } : {}), datasource: DATASOURCE, ...rest },
  };
}

/** A time series graph. `unit` is a Grafana unit id (s, ops, percentunit, short, bytes). */
export function timeseries(spec: PanelSpec & { unit: string; stack?: boolean; min?: number }, queries: readonly Query[]): Panel {
  return panel('timeseries', spec, {
    targets: targets(queries),
    fieldConfig: {
      defaults: {
        unit: spec.unit,
        ...(spec.min === undefined ? {} : { min: spec.min }),
        custom: { drawStyle: 'line', lineWidth: 1, fillOpacity: spec.stack ? 30 : 10, showPoints: 'never', stacking: { mode: spec.stack ? 'normal' : 'none', group: 'A' } },
      },
      overrides: [],
    },
    options: { legend: { displayMode: 'table', placement: 'bottom', calcs: ['mean', 'max', 'lastNotNull'] }, tooltip: { mode: 'multi', sort: 'desc' } },
  });
}

/**
 * A heatmap of a Prometheus histogram: `expr` must be
 * `sum by (le) (increase(<name>_bucket{…}[$__rate_interval]))`; Grafana reads
 * the `le` buckets as they are (no recalculation).
 */
export function heatmap(spec: PanelSpec & { unit: string }, expr: string): Panel {
  return panel('heatmap', spec, {
    targets: targets([{ expr, legend: '{{le}}' }], { format: 'heatmap', interval: '' }),
    options: {
      calculate: false,
      yAxis: { unit: spec.unit, axisPlacement: 'left' },
      rowsFrame: { layout: 'le' },
      color: { mode: 'scheme', scheme: 'Oranges', steps: 64, exponent: 0.5, fill: 'dark-orange' },
      cellGap: 1,
      tooltip: { show: true, yHistogram: true },
      legend: { show: true },
    },
    fieldConfig: { defaults: { custom: { scaleDistribution: { type: 'linear' } } }, overrides: [] },
  });
}

/** One number (the last value), coloured by thresholds. */
export function stat(spec: PanelSpec & { unit: string; thresholds?: Array<{ value: number | null; color: string }> }, queries: readonly Query[]): Panel {
  return panel('stat', { width: 6, height: 4, ...spec }, {
    targets: targets(queries),
    fieldConfig: {
      defaults: { unit: spec.unit, thresholds: { mode: 'absolute', steps: spec.thresholds ?? [{ value: null, color: 'green' }] } },
      overrides: [],
    },
    options: { reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false }, colorMode: 'value', graphMode: 'area', textMode: 'auto' },
  });
}

/** A full-width collapsible-row header. */
export function row(title: string): Panel {
  return { width: 24, height: 1, row: true, json: { type: 'row', title, collapsed: false, panels: [] } };
}

/** A template variable filled from `label_values(<selector>, <label>)`, with "All" meaning the regex `.*`. */
export function labelVariable(name: string, label: string, selector: string, title = label): Json {
  return {
    name, label: title, type: 'query', datasource: DATASOURCE,
    query: { query: `label_values(${selector}, ${label})`, refId: `${name}-values` },
    definition: `label_values(${selector}, ${label})`,
    includeAll: true, allValue: '.*', multi: true, refresh: 2, sort: 1,
    current: { selected: true, text: ['All'], value: ['$__all'] },
  };
}

/** An annotation drawn from a Prometheus query: one mark per series where the query has a value. */
export function queryAnnotation(name: string, expr: string, titleFormat: string, color: string): Json {
  return {
    name, datasource: DATASOURCE, enable: true, iconColor: color, expr, step: '30s',
    titleFormat, textFormat: '', tagKeys: 'job,instance', useValueForTime: false,
  };
}

/** Places panels left to right, wrapping at 24 columns; a row header always starts a new line. */
function layout(panels: readonly Panel[]): Json[] {
  let x = 0;
  let y = 0;
  let lineHeight = 0;
  return panels.map((p, i) => {
    if (p.row || x + p.width > 24) {
      y += lineHeight;
      x = 0;
      lineHeight = 0;
    }
    const placed = { ...p.json, id: i + 1, gridPos: { x, y, w: p.width, h: p.height } };
    x += p.width;
    lineHeight = Math.max(lineHeight, p.height);
    if (p.row) {
      y += p.height;
      x = 0;
      lineHeight = 0;
    }
    return placed;
  });
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  panels: readonly Panel[];
  variables?: readonly Json[];
  annotations?: readonly Json[];
}

/** The dashboard JSON Grafana's file provisioning loads. */
export function dashboard(spec: DashboardSpec): Json {
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['switchyard'],
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    time: { from: 'now-1h', to: 'now' },
    refresh: '10s',
    timezone: 'browser',
    links: [{ type: 'dashboards', tags: ['switchyard'], asDropdown: true, title: 'switchyard boards', includeVars: false, keepTime: true }],
    templating: { list: spec.variables ?? [] },
    annotations: {
      list: [
        {
          builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true,
          iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard',
        },
        ...(spec.annotations ?? []),
      ],
    },
    panels: layout(spec.panels),
  };
}
