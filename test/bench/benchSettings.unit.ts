/** The bench's flags (bench/benchSettings.ts): the churn acceptance run's flags, and clear errors for bad values. Pure, no servers. */
import t from 'tap';
import assert from 'node:assert/strict';
import { benchSettings, estimatedSeconds } from '../../bench/benchSettings.js';

t.test('--comparison-rate half leaves the rate to half the closed-loop saturation; a number is used as is', async () => {
  const half = benchSettings({ 'comparison-rate': 'half' });
  assert.equal(half.comparisonRateFixed, false, 'not fixed: steady caps it at half the saturation it measured');
  assert.ok(half.comparisonRate >= 100_000, 'no cap of its own');
  const fixed = benchSettings({ 'comparison-rate': '300' });
  assert.deepEqual([fixed.comparisonRate, fixed.comparisonRateFixed], [300, true]);
  const byDefault = benchSettings({});
  assert.deepEqual([byDefault.comparisonRate, byDefault.comparisonRateFixed], [50, false]);
  assert.throws(() => benchSettings({ 'comparison-rate': 'quarter' }), /--comparison-rate must be a number/);
});

t.test('--churn-designs narrows the churn scenario; switchyard always runs, and the estimate follows', async () => {
  const all = benchSettings({ scenario: 'churn' });
  assert.deepEqual(all.churnDesigns, ['switchyard', 'sync', 'socketio']);
  const alone = benchSettings({ scenario: 'churn', 'churn-designs': 'switchyard' });
  assert.deepEqual(alone.churnDesigns, ['switchyard']);
  assert.deepEqual(benchSettings({ 'churn-designs': 'socketio' }).churnDesigns, ['switchyard', 'socketio']);
  assert.ok(estimatedSeconds(alone) < estimatedSeconds(all), 'one design churns in a third of the time');
  assert.throws(() => benchSettings({ 'churn-designs': 'switchyard,orleans' }), /--churn-designs: unknown design orleans/);
});
