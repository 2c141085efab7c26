/**
 * The metrics catalog: docs/metrics.md, generated from the metric sections
 * every module registers (platform/metricSection.ts: the platform's gateway
 * and actor runtime sections, integrations/, and each feature's through
 * actors/registry.ts) — `npm run docs:metrics` writes it; a test fails when
 * it is stale — and the "no unbounded label values" rule, checked on every
 * metric of the registry.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ACTOR_RUNTIME_METRICS, GATEWAY_METRICS, UNBOUNDED_LABEL_PATTERN, registry, type MetricSection } from '../../platform/index.js';
import { INTEGRATION_METRICS } from '../../integrations/index.js';
import { registeredFeatures } from '../../actors/index.js';

export const CATALOG_PATH = 'docs/metrics.md';

/** Every registered section, in the catalog's order: platform's, integrations', then the features' in registry order. */
export function metricSections(): MetricSection[] {
  return [GATEWAY_METRICS, ACTOR_RUNTIME_METRICS, INTEGRATION_METRICS, ...registeredFeatures.flatMap((f) => (f.metrics ? [f.metrics] : []))];
}

export interface MetricEntry {
  /** Title of the section that declares it; undefined for a metric no section lists. */
  section?: string;
  name: string;
  type: string;
  help: string;
  labels: string[];
  /** Histogram bucket upper bounds, seconds. */
  buckets?: number[];
}

/** Every metric in the registry, switchyard's first, each group sorted by name. */
export function metricEntries(sections: readonly MetricSection[] = metricSections()): MetricEntry[] {
  const sectionOf = new Map(sections.flatMap((s) => s.metrics.map((m) => [(m as unknown as { name: string }).name, s.title] as const)));
  return registry.getMetricsAsArray()
    .map((metric) => {
      const m = metric as unknown as { labelNames?: string[]; upperBounds?: number[] };
      const entry: MetricEntry = { name: metric.name, type: String(metric.type), help: metric.help, labels: [...(m.labelNames ?? [])] };
      const section = sectionOf.get(metric.name);
      if (section !== undefined) entry.section = section;
      if (m.upperBounds) entry.buckets = [...m.upperBounds];
      return entry;
    })
    .sort((a, b) => Number(!a.name.startsWith('switchyard_')) - Number(!b.name.startsWith('switchyard_')) || a.name.localeCompare(b.name));
}

/**
 * Problems with switchyard metrics: one no registered section lists, a label
 * that looks unbounded (a user, entity, session, topic or other id as a
 * label), or one whose value set its section does not declare. Empty when the
 * rules hold.
 */
export function labelProblems(entries: readonly MetricEntry[], sections: readonly MetricSection[] = metricSections()): string[] {
  const labelsOf = new Map(sections.map((s) => [s.title, s.labels]));
  return entries.filter((e) => e.name.startsWith('switchyard_')).flatMap((e) => {
    const declared = e.section === undefined ? undefined : labelsOf.get(e.section);
    const unlisted = declared === undefined ? [`${e.name}: no registered metric section lists it; add it to its module's MetricSection (platform/metricSection.ts)`] : [];
    return [...unlisted, ...e.labels.flatMap((label) => {
      if (UNBOUNDED_LABEL_PATTERN.test(label)) return [`${e.name}: label "${label}" looks unbounded (one value per user, entity, session, topic or id); use a bounded label or none`];
      if (declared !== undefined && !Object.hasOwn(declared, label)) return [`${e.name}: label "${label}" has no declared value set; add it to the labels of section "${e.section}"`];
      return [];
    })];
  });
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** docs/metrics.md as text. */
export function renderMetricsCatalog(entries: readonly MetricEntry[] = metricEntries(), sections: readonly MetricSection[] = metricSections()): string {
  const own = entries.filter((e) => e.name.startsWith('switchyard_'));
  const runtime = entries.filter((e) => !e.name.startsWith('switchyard_'));
  const buckets = [...new Set(own.flatMap((e) => e.buckets ? [e.buckets.join(', ')] : []))];
  const sectionText = (section: MetricSection) => [
    `### ${section.title} (\`${section.owner}\`)`,
    '',
    '| name | type | labels | meaning |',
    '|---|---|---|---|',
    ...own.filter((e) => e.section === section.title).map((e) => `| \`${e.name}\` | ${e.type} | ${e.labels.length ? e.labels.map((l) => `\`${l}\``).join(', ') : '—'} | ${cell(e.help)} |`),
    '',
    ...(Object.keys(section.labels).length === 0 ? [] : [
      'Label values:',
      '',
      '| label | values |',
      '|---|---|',
      ...Object.entries(section.labels).map(([label, values]) => `| \`${label}\` | ${cell(values)} |`),
      '',
    ]),
  ];
  return [
    '# Metrics',
    '',
    '<!-- Generated from the registered metric sections by `npm run docs:metrics`; do not edit by hand (a test compares). -->',
    '',
    'Every metric switchyard exports, grouped by the module that owns it: the platform\'s gateway and actor runtime',
    'sections (`platform/metrics.ts`, `platform/metricLabels.ts`), `integrations/metrics.ts`, and each feature\'s',
    '`actors/<feature>/metrics.ts` registered in `actors/registry.ts` (`platform/metricSection.ts`). Gateways serve them on',
    '`/metrics` of their WebSocket port; workers on `/metrics` of `SY_WORKER_METRICS_PORT`. Prometheus adds',
    '`job` and `instance` (and, in Kubernetes, `pod`); no metric carries a user, entity, session or topic id.',
    'Dashboards and alerts built on these names: `deploy/grafana/`, `deploy/prometheus/`.',
    '',
    '## switchyard metrics',
    '',
    'Every label takes its values from a small fixed set, declared by the section that owns the metric.',
    'Processes create their labelled series at zero on start (`declareGatewaySeries`, `declareActorSeries`, a',
    'section\'s `declareSeries`), so `rate()` and `increase()` see the first event and boards show 0 rather than "No data".',
    '',
    ...sections.flatMap(sectionText),
    '## Histogram buckets',
    '',
    ...buckets.map((b) => `Latency histograms use these upper bounds (seconds): ${b}.`),
    '',
    '## Runtime metrics',
    '',
    'The Node.js process metrics of prom-client (`collectDefaultMetrics`), on every process:',
    '',
    '| name | type | meaning |',
    '|---|---|---|',
    ...runtime.map((e) => `| \`${e.name}\` | ${e.type} | ${cell(e.help)} |`),
    '',
    '## Metrics from outside switchyard',
    '',
    'The boards and alerts also read these, from exporters deployed beside switchyard:',
    '',
    '| source | names | deployed by |',
    '|---|---|---|',
    '| Prometheus itself | `up`, `scrape_*` | every scrape |',
    '| [prometheus-nats-exporter](https://github.com/nats-io/prometheus-nats-exporter) with `-jsz=all` | `jetstream_consumer_num_pending`, `jetstream_consumer_num_ack_pending`, `jetstream_stream_total_messages`, … | the NATS Helm chart (`promExporter.enabled`, see deploy/k8s/nats/values.yaml) or the `nats-exporter` service of deploy/docker-compose.yml |',
    '',
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(CATALOG_PATH, renderMetricsCatalog());
  process.stdout.write(`wrote ${CATALOG_PATH}\n`);
}
