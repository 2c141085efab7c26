/**
 * Evaluates shipped queries (queryInventory.ts) against a live Prometheus
 * over its HTTP API and says, for each, whether it parses and returns
 * series. Used by the observability test against a Prometheus scraping a
 * real stack, and by hand against any Prometheus:
 *
 *   npx tsx deploy/observability/queryChecker.ts http://prometheus:9090
 *
 * A query fails when Prometheus refuses it, when it names a metric that no
 * scraped target exports and no recording rule records (a typo, a renamed or
 * removed metric), when it has an unknown template variable, or when it (a
 * panel, variable or recording rule) or one of its selectors (an alert or
 * annotation, normally empty) returns no series. Two lists soften the last
 * rule, each entry with its reason: `external` metrics come from exporters
 * the checked Prometheus may not scrape; `awaiting` metrics are defined in
 * platform/metrics.ts but no code path emits them yet.
 */
import { fileURLToPath } from 'node:url';
import { GRAFANA_BUILTINS, metricSelectors, substituteVariables, type Selector } from './promqlText.js';
import { shippedQueries, type ShippedQuery } from './queryInventory.js';

export interface CheckOptions {
  /** Base URL, e.g. http://127.0.0.1:9090 */
  prometheusUrl: string;
  /** Metric name prefixes from exporters outside switchyard → where they come from. */
  external?: Readonly<Record<string, string>>;
  /** Metric names defined but not emitted yet → why. */
  awaiting?: Readonly<Record<string, string>>;
  /** Values for Grafana's $__ variables. @default GRAFANA_BUILTINS */
  builtins?: Readonly<Record<string, string>>;
}

export type VerdictStatus = 'ok' | 'awaiting' | 'external' | 'failed';

export interface QueryVerdict {
  query: ShippedQuery;
  /** The query as evaluated (variables substituted). */
  evaluated: string;
  status: VerdictStatus;
  /** Series the whole query returned. */
  series: number;
  /** Why it failed (status failed) or what it waits for (awaiting, external). */
  reasons: string[];
}

/** Series Prometheus itself adds to every scrape. */
const SCRAPE_SERIES = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added']);
const HISTOGRAM_SUFFIX = /_(bucket|sum|count)$/;

interface ApiAnswer<T> { status: 'success' | 'error'; data: T; error?: string; errorType?: string }

/** POST when there are parameters (queries can be long), GET otherwise (the metadata endpoints take only GET). */
async function api<T>(base: string, path: string, params?: Record<string, string>): Promise<ApiAnswer<T>> {
  const init: RequestInit = params ? { method: 'POST', body: new URLSearchParams(params) } : { method: 'GET' };
  const res = await fetch(`${base}${path}`, { ...init, signal: AbortSignal.timeout(10_000) });
  return await res.json() as ApiAnswer<T>;
}

/** An instant query: the number of series, or Prometheus's error text. */
export async function instantSeries(base: string, query: string): Promise<{ series: number } | { error: string }> {
  const answer = await api<{ result: unknown[] }>(base, '/api/v1/query', { query });
  return answer.status === 'success' ? { series: answer.data.result.length } : { error: `${answer.errorType ?? 'error'}: ${answer.error ?? '?'}` };
}

/** Metric names Prometheus knows: with series now, or announced by a scraped target (# HELP/# TYPE). */
async function knownMetricNames(base: string): Promise<Set<string>> {
  const names = await api<string[]>(base, '/api/v1/label/__name__/values');
  const metadata = await api<Record<string, unknown>>(base, '/api/v1/metadata');
  return new Set([...(names.status === 'success' ? names.data : []), ...(metadata.status === 'success' ? Object.keys(metadata.data) : []), ...SCRAPE_SERIES]);
}

function prefixOf(table: Readonly<Record<string, string>>, metric: string): string | undefined {
  return Object.keys(table).find((prefix) => metric.startsWith(prefix));
}

/** Checks every query; recording rules first, so a panel on a recorded series knows why that is empty. */
export async function checkQueries(queries: readonly ShippedQuery[], options: CheckOptions): Promise<QueryVerdict[]> {
  const base = options.prometheusUrl.replace(/\/$/, '');
  const external = options.external ?? {};
  const awaiting = options.awaiting ?? {};
  const known = await knownMetricNames(base);
  const recorded = new Map<string, VerdictStatus>();
  for (const q of queries) if (q.records) recorded.set(q.records, 'ok');
  const selectorSeries = new Map<string, Promise<{ series: number } | { error: string }>>();
  const seriesOf = (text: string) => {
    let p = selectorSeries.get(text);
    if (!p) selectorSeries.set(text, (p = instantSeries(base, text)));
    return p;
  };

  /** Why an empty selector is acceptable (awaiting/external), or undefined when it is not. */
  const excuse = (s: Selector): { status: 'awaiting' | 'external'; reason: string } | undefined => {
    const family = s.metric.replace(HISTOGRAM_SUFFIX, '');
    const waiting = awaiting[s.metric] ?? awaiting[family];
    if (waiting) return { status: 'awaiting', reason: `${s.metric}: awaiting an emitter (${waiting})` };
    const ext = prefixOf(external, s.metric);
    if (ext) return { status: 'external', reason: `${s.metric}: external metric (${external[ext]})` };
    const rec = recorded.get(s.metric);
    if (rec === 'awaiting' || rec === 'external') return { status: rec, reason: `${s.metric}: recorded from metrics that are ${rec}` };
    return undefined;
  };

  const checkOne = async (query: ShippedQuery): Promise<QueryVerdict> => {
    const { text, unknown } = substituteVariables(query.expr, { ...(options.builtins ?? GRAFANA_BUILTINS), ...query.variables });
    const verdict = (status: VerdictStatus, reasons: string[], series = 0): QueryVerdict => ({ query, evaluated: text, status, series, reasons: [...new Set(reasons)] });
    if (unknown.length > 0) return verdict('failed', [`unknown template variable(s): ${unknown.map((u) => `$${u}`).join(', ')}`]);
    const whole = await instantSeries(base, text);
    if ('error' in whole) return verdict('failed', [`Prometheus refuses it: ${whole.error}`]);
    const selectors = metricSelectors(text);
    const unknownMetrics = selectors.filter((s) => {
      const family = s.metric.replace(HISTOGRAM_SUFFIX, '');
      return !known.has(s.metric) && !known.has(family) && !recorded.has(s.metric) && !prefixOf(external, s.metric) && !awaiting[s.metric] && !awaiting[family];
    });
    if (unknownMetrics.length > 0) {
      return verdict('failed', unknownMetrics.map((s) => `names metric ${s.metric}, which does not exist: no scraped target exports it and no recording rule records it`), whole.series);
    }
    const counted = await Promise.all(selectors.map(async (s) => ({ s, answer: await seriesOf(s.text) })));
    const broken = counted.filter(({ answer }) => 'error' in answer);
    if (broken.length > 0) return verdict('failed', broken.map(({ s, answer }) => `selector ${s.text}: ${(answer as { error: string }).error}`));
    const empty = counted.filter(({ answer }) => (answer as { series: number }).series === 0).map(({ s }) => s);
    const mustReturnSeries = query.kind === 'panel' || query.kind === 'variable' || query.kind === 'record';
    const excuses = empty.map((s) => ({ s, why: excuse(s) }));
    const unexcused = excuses.filter((e) => !e.why);
    if (unexcused.length > 0) return verdict('failed', unexcused.map(({ s }) => `selector ${s.text} returns no series`), whole.series);
    if (excuses.length > 0) {
      const status = excuses.some((e) => e.why!.status === 'awaiting') ? 'awaiting' : 'external';
      return verdict(status, excuses.map((e) => e.why!.reason), whole.series);
    }
    if (mustReturnSeries && whole.series === 0) {
      return verdict('failed', ['returns no series, although each of its selectors does (a label filter or join matches nothing)']);
    }
    return verdict('ok', [], whole.series);
  };

  const byIndex = new Map<ShippedQuery, QueryVerdict>();
  for (const q of queries.filter((q) => q.records)) {
    const v = await checkOne(q);
    recorded.set(q.records!, v.status);
    byIndex.set(q, v);
  }
  await Promise.all(queries.filter((q) => !q.records).map(async (q) => { byIndex.set(q, await checkOne(q)); }));
  return queries.map((q) => byIndex.get(q)!);
}

/** Entries of `awaiting` that have series after all: their emitter exists now, so the entry must go. */
export async function staleAwaiting(prometheusUrl: string, awaiting: Readonly<Record<string, string>>): Promise<string[]> {
  const base = prometheusUrl.replace(/\/$/, '');
  const stale: string[] = [];
  for (const name of Object.keys(awaiting)) {
    const answer = await instantSeries(base, `{__name__=~"${name}(_bucket|_sum|_count)?"}`);
    if ('series' in answer && answer.series > 0) stale.push(name);
  }
  return stale;
}

/** A one-line-per-query report. */
export function formatVerdicts(verdicts: readonly QueryVerdict[]): string {
  return verdicts.map((v) => {
    const head = `${v.status.toUpperCase().padEnd(8)} ${String(v.series).padStart(3)} series  ${v.query.kind.padEnd(10)} ${v.query.source}`;
    return v.reasons.length ? `${head}\n${v.reasons.map((r) => `           - ${r}`).join('\n')}` : head;
  }).join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const url = process.argv[2] ?? 'http://127.0.0.1:9090';
  const verdicts = await checkQueries(shippedQueries(), { prometheusUrl: url, external: {} });
  process.stdout.write(`${formatVerdicts(verdicts)}\n`);
  process.exit(verdicts.some((v) => v.status === 'failed') ? 1 : 0);
}
