import t from 'tap';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { CATALOG_PATH, labelProblems, metricEntries, renderMetricsCatalog } from '../../deploy/local/metricsCatalog.js';
import { declareActorSeries, declareGatewaySeries, metricsText } from '../../platform/index.js';
import { ERROR_CODE_NAMES } from '../../protocol/index.js';

t.test('metrics - docs/metrics.md is generated from the registered metric sections (run npm run docs:metrics when this fails)', async () => {
  assert.equal(readFileSync(CATALOG_PATH, 'utf8'), renderMetricsCatalog(), `${CATALOG_PATH} is stale: run npm run docs:metrics`);
});

t.test('metrics - no metric has a label with unbounded values (user, entity, session, topic, id...) or an undeclared label', async () => {
  assert.deepEqual(labelProblems(metricEntries()), []);
});

t.test('metrics - the label rule reports a user id, a session, a topic and an undeclared label', async () => {
  const problems = labelProblems([
    { section: 'actor runtime', name: 'switchyard_bad_total', type: 'counter', help: '', labels: ['user_id'] },
    { section: 'actor runtime', name: 'switchyard_bad2_total', type: 'counter', help: '', labels: ['session'] },
    { section: 'actor runtime', name: 'switchyard_bad3_total', type: 'counter', help: '', labels: ['topic'] },
    { section: 'actor runtime', name: 'switchyard_bad4_total', type: 'counter', help: '', labels: ['flavour'] },
    { section: 'actor runtime', name: 'switchyard_good_total', type: 'counter', help: '', labels: ['actor', 'outcome'] },
  ]);
  assert.equal(problems.length, 4, problems.join('\n'));
  assert.match(problems[0]!, /switchyard_bad_total: label "user_id" looks unbounded/);
  assert.match(problems[3]!, /label "flavour" has no declared value set/);
});

t.test('metrics - a metric no registered section lists is reported, and a label another section declares does not count', async () => {
  const problems = labelProblems([
    { name: 'switchyard_orphan_total', type: 'counter', help: '', labels: [] },
    { section: 'messaging', name: 'switchyard_messaging_x_total', type: 'counter', help: '', labels: ['part'] },
  ]);
  assert.equal(problems.length, 2, problems.join('\n'));
  assert.match(problems[0]!, /switchyard_orphan_total: no registered metric section lists it/);
  assert.match(problems[1]!, /label "part" has no declared value set; add it to the labels of section "messaging"/);
});

t.test('metrics - every metric is switchyard_-prefixed with help text, or a Node.js runtime metric', async () => {
  for (const e of metricEntries()) {
    assert.match(e.name, /^(switchyard_|nodejs_|process_)/, `${e.name} lives outside the switchyard_ namespace`);
    if (e.name.startsWith('switchyard_')) assert.ok(e.help.length > 10, `${e.name} has help text`);
  }
});

t.test('metrics - declared series exist at zero before the first event (so increase() sees the first one)', async () => {
  declareGatewaySeries();
  declareActorSeries(['counter']);
  const { body } = await metricsText();
  for (const line of [
    'switchyard_actor_dead_letters_total{actor="counter"} 0',
    'switchyard_actor_commands_total{actor="counter",outcome="dead_lettered"} 0',
    'switchyard_actor_rebalances_total{actor="counter",kind="lost"} 0',
    'switchyard_actor_partitions_owned{actor="counter"} 0',
    'switchyard_actor_outbox_lag_seconds_count{actor="counter"} 0',
    'switchyard_gateway_recoveries_total{outcome="lost"} 0',
    'switchyard_gateway_frames_in_total{type="invalid"} 0',
    ...ERROR_CODE_NAMES.map((code) => `switchyard_gateway_rejections_total{code="${code}"} 0`),
  ]) assert.ok(body.split('\n').includes(line), `missing series: ${line}`);
});
