/**
 * switchyard's three Grafana boards. Every query names metrics of
 * platform/metrics.ts (docs/metrics.md), recording rules of
 * deploy/prometheus/rules, or the NATS exporter's JetStream metrics; the
 * observability test evaluates each against a Prometheus scraping a real
 * stack. `npm run grafana:build` writes deploy/grafana/dashboards/*.json.
 */
import { dashboard, heatmap, labelVariable, queryAnnotation, row, stat, timeseries } from './panels.js';

const GW = 'job="switchyard-gateway", instance=~"$instance"';
const WK = 'job="switchyard-worker", actor=~"$actor"';
const SY = 'job=~"switchyard-gateway|switchyard-worker"';
const RATE = '$__rate_interval';

function quantiles(metric: string, selector: string, by = ''): Array<{ expr: string; legend: string }> {
  const group = by ? `le, ${by}` : 'le';
  const prefix = by ? `{{${by}}} ` : '';
  return [0.5, 0.9, 0.99].map((q) => ({
    expr: `histogram_quantile(${q}, sum by (${group}) (rate(${metric}_bucket{${selector}}[${RATE}])))`,
    legend: `${prefix}p${Math.round(q * 100)}`,
  }));
}

function bucketIncrease(metric: string, selector: string): string {
  return `sum by (le) (increase(${metric}_bucket{${selector}}[${RATE}]))`;
}

export const gatewayBoard = dashboard({
  uid: 'switchyard-gateway',
  title: 'switchyard / gateway latency',
  description: 'Accept and result latency, connections, frames, rejections and session recovery of the WebSocket gateways.',
  variables: [labelVariable('instance', 'instance', 'up{job="switchyard-gateway"}', 'gateway')],
  panels: [
    row('Latency'),
    timeseries({ title: 'Accept latency (frame in → accepted out)', unit: 's', description: 'Includes the JetStream publish ack. Budget: p99 ≤ 2 ms at 5k commands/s.' },
      quantiles('switchyard_gateway_accept_latency_seconds', GW)),
    timeseries({ title: 'Result latency (frame in → result out)', unit: 's', description: 'End to end through JetStream, the actor and MongoDB. SLO: 99 % within 1 s.' },
      quantiles('switchyard_gateway_result_latency_seconds', GW)),
    heatmap({ title: 'Accept latency heatmap', unit: 's' }, bucketIncrease('switchyard_gateway_accept_latency_seconds', GW)),
    heatmap({ title: 'Result latency heatmap', unit: 's' }, bucketIncrease('switchyard_gateway_result_latency_seconds', GW)),
    stat({ title: 'Results within 1 s (5 m)', unit: 'percentunit', width: 6, thresholds: [{ value: null, color: 'red' }, { value: 0.99, color: 'green' }] },
      [{ expr: '1 - switchyard:result_latency_slo_misses:ratio_rate5m', legend: 'within SLO' }]),
    stat({ title: 'Error budget burn rate (1 h)', unit: 'x', width: 6, thresholds: [{ value: null, color: 'green' }, { value: 6, color: 'orange' }, { value: 14.4, color: 'red' }] },
      [{ expr: 'switchyard:result_latency_slo_misses:ratio_rate1h / 0.01', legend: 'burn rate' }]),
    stat({ title: 'Accept p99 (1 m)', unit: 's', width: 6 }, [{ expr: 'switchyard:gateway_accept_latency_seconds:p99_rate1m', legend: 'p99' }]),
    stat({ title: 'Result p99 (1 m)', unit: 's', width: 6 }, [{ expr: 'switchyard:gateway_result_latency_seconds:p99_rate1m', legend: 'p99' }]),
    row('Traffic'),
    timeseries({ title: 'Open connections', unit: 'short', stack: true, min: 0 },
      [{ expr: `sum by (instance) (switchyard_gateway_connections{${GW}})`, legend: '{{instance}}' }]),
    timeseries({ title: 'Commands accepted per second', unit: 'ops', min: 0 },
      [{ expr: `sum by (instance) (rate(switchyard_gateway_accept_latency_seconds_count{${GW}}[${RATE}]))`, legend: '{{instance}}' }]),
    timeseries({ title: 'Frames in by type', unit: 'ops', stack: true, min: 0 },
      [{ expr: `sum by (type) (rate(switchyard_gateway_frames_in_total{${GW}}[${RATE}]))`, legend: '{{type}}' }]),
    timeseries({ title: 'Frames out by type', unit: 'ops', stack: true, min: 0 },
      [{ expr: `sum by (type) (rate(switchyard_gateway_frames_out_total{${GW}}[${RATE}]))`, legend: '{{type}}' }]),
    timeseries({ title: 'Rejections by code', unit: 'ops', stack: true, min: 0, description: 'Frames and requests refused (rejected and error frames), by the code the client saw.' },
      [{ expr: `sum by (code) (rate(switchyard_gateway_rejections_total{${GW}}[${RATE}]))`, legend: '{{code}}' }]),
    timeseries({ title: 'Slow consumers closed', unit: 'ops', min: 0 },
      [{ expr: `sum by (instance) (rate(switchyard_gateway_backpressure_closes_total{${GW}}[${RATE}]))`, legend: '{{instance}}' }]),
    row('Sessions'),
    timeseries({ title: 'Recoveries by outcome', unit: 'ops', stack: true, min: 0, description: 'Resumes that replayed every missed push (recovered) or found them past retention (lost).' },
      [{ expr: `sum by (outcome) (rate(switchyard_gateway_recoveries_total{${GW}}[${RATE}]))`, legend: '{{outcome}}' }]),
    timeseries({ title: 'Hellos per second vs connections', unit: 'short', min: 0, description: 'A reconnect storm shows as hellos rising towards the connection count.' },
      [
        { expr: `sum(rate(switchyard_gateway_frames_in_total{${GW}, type="hello"}[${RATE}]))`, legend: 'hellos/s' },
        { expr: `0.2 * sum(switchyard_gateway_connections{${GW}})`, legend: '20 % of connections (storm threshold)' },
      ]),
  ],
});

export const actorsBoard = dashboard({
  uid: 'switchyard-actors',
  title: 'switchyard / actors',
  description: 'Commands through the actor workers: queue wait, handler latency, JetStream consumer lag, redeliveries, dead letters, partitions and rebalances.',
  variables: [labelVariable('actor', 'actor', 'switchyard_actor_commands_total{job="switchyard-worker"}', 'actor type')],
  panels: [
    row('Throughput and latency'),
    timeseries({ title: 'Commands by outcome', unit: 'ops', stack: true, min: 0 },
      [{ expr: `sum by (actor, outcome) (rate(switchyard_actor_commands_total{${WK}}[${RATE}]))`, legend: '{{actor}} {{outcome}}' }]),
    timeseries({ title: 'Queue wait (accept → handler start)', unit: 's', description: 'Lag as the actors see it.' },
      quantiles('switchyard_actor_queue_wait_seconds', WK, 'actor')),
    timeseries({ title: 'Handler latency (start → committed)', unit: 's' },
      quantiles('switchyard_actor_handler_seconds', WK, 'actor')),
    timeseries({ title: 'Outbox lag (commit → publish ack)', unit: 's' },
      quantiles('switchyard_actor_outbox_lag_seconds', WK, 'actor').slice(1)),
    heatmap({ title: 'Queue wait heatmap', unit: 's' }, bucketIncrease('switchyard_actor_queue_wait_seconds', WK)),
    heatmap({ title: 'Handler latency heatmap', unit: 's' }, bucketIncrease('switchyard_actor_handler_seconds', WK)),
    row('Backlog and failures'),
    timeseries({ title: 'CMD backlog: commands not yet acked', unit: 'short', min: 0, description: 'Pending + ack-pending, read from stream CMD by every worker (max over workers). KEDA scales workers on the total.' },
      [{ expr: 'max(switchyard_cmd_backlog_messages{job="switchyard-worker"})', legend: 'all' },
        { expr: `max by (actor) (switchyard_cmd_backlog_by_actor_messages{${WK}})`, legend: '{{actor}}' }]),
    timeseries({ title: 'Commands delivered, not yet acked', unit: 'short', min: 0, description: 'From prometheus-nats-exporter: in the hands of a worker right now.' },
      [{ expr: 'max by (consumer_name) (jetstream_consumer_num_ack_pending{stream_name="CMD"})', legend: '{{consumer_name}}' }]),
    timeseries({ title: 'Redeliveries', unit: 'ops', min: 0 },
      [{ expr: `sum by (actor) (rate(switchyard_actor_redeliveries_total{${WK}}[${RATE}]))`, legend: '{{actor}}' }]),
    timeseries({ title: 'Dead letters (to DLQ)', unit: 'ops', min: 0 },
      [{ expr: `sum by (actor) (rate(switchyard_actor_dead_letters_total{${WK}}[${RATE}]))`, legend: '{{actor}}' }]),
    stat({ title: 'Dead letters in range', unit: 'short', width: 6, thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'red' }] },
      [{ expr: `sum(increase(switchyard_actor_dead_letters_total{${WK}}[$__range]))`, legend: 'dead letters' }]),
    stat({ title: 'DLQ stream messages', unit: 'short', width: 6, description: 'From prometheus-nats-exporter.' },
      [{ expr: 'max(jetstream_stream_total_messages{stream_name="DLQ"})', legend: 'DLQ' }]),
    stat({ title: 'Cache hit ratio', unit: 'percentunit', width: 6 },
      [{ expr: `sum(rate(switchyard_actor_cache_lookups_total{${WK}, result="hit"}[${RATE}])) / sum(rate(switchyard_actor_cache_lookups_total{${WK}}[${RATE}]))`, legend: 'hit ratio' }]),
    stat({ title: 'Business errors (ok:false) share', unit: 'percentunit', width: 6 },
      [{ expr: `sum(rate(switchyard_actor_commands_total{${WK}, outcome="error"}[${RATE}])) / sum(rate(switchyard_actor_commands_total{${WK}}[${RATE}]))`, legend: 'errors' }]),
    row('Entity store'),
    timeseries({ title: 'Commands per store round trip', unit: 'short', min: 0, description: 'Group commit: the commands of a moment share one find and one bulkWrite. Target ≥ 8 at saturation.' },
      [{ expr: `sum by (actor) (rate(switchyard_actor_commands_total{${WK}}[${RATE}])) / sum by (actor) (rate(switchyard_actor_store_round_trips_total{${WK}}[${RATE}]))`, legend: '{{actor}}' }]),
    timeseries({ title: 'Store writes per command', unit: 'short', min: 0, description: 'Entity documents written per command finished. Target ≤ 1.0; below 1 when several commands of an entity share a take.' },
      [{ expr: `sum by (actor) (rate(switchyard_actor_store_documents_total{${WK}, op="written"}[${RATE}])) / sum by (actor) (rate(switchyard_actor_commands_total{${WK}}[${RATE}]))`, legend: '{{actor}}' }]),
    timeseries({ title: 'Store round trips by kind', unit: 'ops', stack: true, min: 0 },
      [{ expr: `sum by (kind) (rate(switchyard_actor_store_round_trips_total{${WK}}[${RATE}]))`, legend: '{{kind}}' }]),
    timeseries({ title: 'Entity documents loaded and written', unit: 'ops', min: 0 },
      [{ expr: `sum by (op) (rate(switchyard_actor_store_documents_total{${WK}}[${RATE}]))`, legend: '{{op}}' }]),
    row('Partitions'),
    timeseries({ title: 'Partitions per worker', unit: 'short', stack: true, min: 0, description: 'Should be even across live workers (guarantee 13).' },
      [{ expr: `sum by (instance) (switchyard_actor_partitions_owned{${WK}})`, legend: '{{instance}}' }]),
    timeseries({ title: 'Rebalances by kind', unit: 'ops', stack: true, min: 0 },
      [{ expr: `sum by (kind) (rate(switchyard_actor_rebalances_total{${WK}}[${RATE}]))`, legend: '{{kind}}' }]),
  ],
});

export const scalingBoard = dashboard({
  uid: 'switchyard-scaling',
  title: 'switchyard / scaling',
  description: 'Instances coming and going: counts, drains, load per instance, and churn events as annotations.',
  annotations: [
    queryAnnotation('Process started', `(time() - max by (job, instance) (process_start_time_seconds{${SY}})) < 60`, '{{job}} {{instance}} started', 'green'),
    queryAnnotation('Gateway draining', 'max by (instance) (switchyard_gateway_draining{job="switchyard-gateway"}) == 1', '{{instance}} draining', 'orange'),
    queryAnnotation('Target lost', `up{${SY}} == 0`, '{{job}} {{instance}} not answering', 'red'),
    queryAnnotation('Partitions moved', 'sum by (instance, kind) (increase(switchyard_actor_rebalances_total{job="switchyard-worker"}[1m])) > 0', '{{instance}} partitions {{kind}}', 'purple'),
  ],
  panels: [
    row('Instances'),
    stat({ title: 'Gateways up', unit: 'short' }, [{ expr: 'count(up{job="switchyard-gateway"} == 1)', legend: 'gateways' }]),
    stat({ title: 'Workers up', unit: 'short' }, [{ expr: 'count(up{job="switchyard-worker"} == 1)', legend: 'workers' }]),
    stat({ title: 'Gateways draining', unit: 'short', thresholds: [{ value: null, color: 'green' }, { value: 1, color: 'orange' }] },
      [{ expr: 'sum(switchyard_gateway_draining{job="switchyard-gateway"})', legend: 'draining' }]),
    stat({ title: 'Result p99 (1 m)', unit: 's' }, [{ expr: 'switchyard:gateway_result_latency_seconds:p99_rate1m', legend: 'p99' }]),
    timeseries({ title: 'Instances by job', unit: 'short', min: 0, description: 'Targets answering their /metrics.' },
      [{ expr: `count by (job) (up{${SY}} == 1)`, legend: '{{job}}' }]),
    timeseries({ title: 'Draining gateways', unit: 'short', min: 0 },
      [{ expr: 'sum by (instance) (switchyard_gateway_draining{job="switchyard-gateway"})', legend: '{{instance}}' }]),
    row('Load per instance'),
    timeseries({ title: 'Connections per gateway', unit: 'short', min: 0 },
      [{ expr: 'sum by (instance) (switchyard_gateway_connections{job="switchyard-gateway"})', legend: '{{instance}}' }]),
    timeseries({ title: 'Partitions per worker', unit: 'short', min: 0 },
      [{ expr: 'sum by (instance) (switchyard_actor_partitions_owned{job="switchyard-worker"})', legend: '{{instance}}' }]),
    timeseries({ title: 'CPU per instance', unit: 'percentunit', min: 0 },
      [{ expr: `sum by (job, instance) (rate(process_cpu_seconds_total{${SY}}[${RATE}]))`, legend: '{{job}} {{instance}}' }]),
    timeseries({ title: 'Resident memory per instance', unit: 'bytes', min: 0 },
      [{ expr: `max by (job, instance) (process_resident_memory_bytes{${SY}})`, legend: '{{job}} {{instance}}' }]),
    timeseries({ title: 'Event loop lag p99', unit: 's', min: 0 },
      [{ expr: `max by (job, instance) (nodejs_eventloop_lag_p99_seconds{${SY}})`, legend: '{{job}} {{instance}}' }]),
    timeseries({ title: 'Result latency while scaling', unit: 's', description: 'Budget: p99 while scaling ≤ 3 × steady state.' },
      [
        { expr: 'switchyard:gateway_result_latency_seconds:p50_rate1m', legend: 'p50' },
        { expr: 'switchyard:gateway_result_latency_seconds:p99_rate1m', legend: 'p99' },
      ]),
  ],
});

/** File name (without .json) → dashboard JSON. */
export const BOARDS = {
  'switchyard-gateway': gatewayBoard,
  'switchyard-actors': actorsBoard,
  'switchyard-scaling': scalingBoard,
} as const;
