import t from 'tap';
import assert from 'node:assert/strict';
import { eventually, processMetric } from '../harness/commandDriver.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { useActorStack } from './actorStack.js';

const actors = useActorStack({ workers: 1, env: { SY_PROBE_ACTOR: 'true', SY_LEASE_TTL_MS: '2000', SY_REBALANCE_INTERVAL_MS: '300', SY_TIMER_POLL_MS: '100' } });

interface ProbeDoc { state: { ticks: number[]; reminders: Record<string, number>; log: string[] } }
const probeDoc = async (entity: string) => (await actors.db.collection('entities_probe').findOne({ _id: entity as never })) as ProbeDoc | null;

async function leader(workers: SwitchyardProcess[]): Promise<SwitchyardProcess> {
  return eventually('one worker leads the scheduler', async () => {
    const leading = [];
    for (const w of workers) if (await processMetric(w.port, 'switchyard_actor_scheduler_leader') === 1) leading.push(w);
    return leading.length === 1 ? leading[0] : undefined;
  });
}

t.test('guarantee 12 - a durable timer fires once, also when its worker is killed and another starts', async () => {
  await actors.driver.send({ actor: 'probe', entity: 'timed', name: 'remind', id: 't1', data: { key: 'k1', afterMs: 2500 } });
  await actors.driver.result('t1');
  // The timer is durable before the worker that set it dies.
  assert.equal(await actors.db.collection('actor_timers').countDocuments({ _id: 'probe/timed/k1' as never }), 1);
  await actors.stack.workers[0]!.kill();
  const replacement = await actors.stack.startWorker();
  await eventually('the reminder fired', async () => ((await probeDoc('timed'))?.state.reminders.k1 === 1 ? true : undefined));
  // Nothing fires it again: the timer is gone, and a later command of the entity sees one firing.
  await eventually('the fired timer is removed', async () => (await actors.db.collection('actor_timers').countDocuments() === 0 ? true : undefined));
  await actors.driver.send({ actor: 'probe', entity: 'timed', name: 'note', id: 't1-after' });
  await actors.driver.result('t1-after');
  assert.deepEqual((await probeDoc('timed'))?.state.reminders, { k1: 1 });
  assert.ok(await processMetric(replacement.port, 'switchyard_actor_timers_fired_total', { actor: 'probe' }) >= 1);
});

t.test('guarantee 12 - timer commands cannot be sent by clients', async () => {
  await actors.driver.send({ actor: 'probe', entity: 'timed', name: 'reminded', id: 'spoof', data: { key: 'k1' } });
  const result = await actors.driver.result('spoof');
  assert.equal(result.body.type === 'result' && !result.body.ok && result.body.error.code, 'FORBIDDEN');
});

t.test('guarantee 12 - a cron job ticking every second on three workers runs once per tick, also across a leader crash', async () => {
  // The replacement worker of the previous test, and two more.
  const live = [actors.stack.workers.at(-1)!, await actors.stack.startWorker(), await actors.stack.startWorker()];
  const ticksSeen = async (n: number) => {
    const ticks = (await probeDoc('clock'))?.state.ticks ?? [];
    return ticks.length >= n ? ticks : undefined;
  };
  const first = await eventually('3 ticks applied', () => ticksSeen(3), 60_000, 200);
  const old = await leader(live);
  await old.kill();
  const survivors = live.filter((w) => w !== old);
  await leader(survivors);
  const ticks = await eventually('3 more ticks applied after the leader crash', () => ticksSeen(first.length + 3), 60_000, 200);
  assert.equal(new Set(ticks).size, ticks.length, `no tick applied twice: ${ticks.join(',')}`);
  assert.ok(ticks.every((t) => t % 1000 === 0), 'ticks are whole seconds');
  assert.deepEqual([...ticks].sort((a, b) => a - b), ticks, 'ticks applied in time order');
});
