import t from 'tap';
import assert from 'node:assert/strict';
import { eventually, processMetric } from '../harness/commandDriver.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { useActorStack } from './actorStack.js';

const PARTITIONS = 12;
const actors = useActorStack({ workers: 3, partitions: PARTITIONS, env: { SY_LEASE_TTL_MS: '2000', SY_REBALANCE_INTERVAL_MS: '300', SY_DRAIN_GRACE_MS: '60000' } });

const live: SwitchyardProcess[] = [];

/** Waits until the live workers own exactly `shares` partitions (in some order) and returns them. */
async function spreadIs(workers: SwitchyardProcess[], shares: number[]): Promise<number[]> {
  return eventually(`partitions spread as ${shares.join('/')}`, async () => {
    const owned = await Promise.all(workers.map((w) => processMetric(w.port, 'switchyard_actor_partitions_owned', { actor: 'counter' })));
    return JSON.stringify([...owned].sort()) === JSON.stringify([...shares].sort()) ? owned : undefined;
  }, 30_000, 100);
}

t.test('guarantee 13 - partitions spread evenly over live workers and rebalance when one joins or leaves', async () => {
  live.push(...actors.stack.workers);
  await spreadIs(live, [4, 4, 4]);
  live.push(await actors.stack.startWorker());
  await spreadIs(live, [3, 3, 3, 3]);
  const leaving = live.shift()!;
  assert.equal(await leaving.stop('SIGTERM', 90_000), 0, 'a graceful leave exits 0');
  await spreadIs(live, [4, 4, 4]);
});

t.test('guarantee 13 - a crashed worker\'s partitions are taken over once it is declared dead (at the latest when its leases expire)', async () => {
  const crashed = live.shift()!;
  await crashed.kill();
  await spreadIs(live, [6, 6]);
  live.push(await actors.stack.startWorker());
  await spreadIs(live, [4, 4, 4]);
});

t.test('guarantee 13 - a graceful leave under load hands off without a redelivery storm', async () => {
  const redeliveries = async (workers: SwitchyardProcess[]) =>
    (await Promise.all(workers.map((w) => processMetric(w.port, 'switchyard_actor_redeliveries_total', { actor: 'counter' })))).reduce((a, b) => a + b, 0);
  const leaving = live[0]!;
  const staying = live.slice(1);
  const before = await redeliveries(staying);
  const entities = Array.from({ length: 24 }, (_, i) => `handoff-${i}`);
  let sent = 0;
  let stopped: Promise<number | null> | undefined;
  for (let round = 0; round < 25; round++) {
    await Promise.all(entities.map((entity) => actors.driver.send({ actor: 'counter', entity, name: 'add', id: `${entity}-${round}`, data: { by: 1 } })));
    sent += entities.length;
    if (round === 8) stopped = leaving.stop('SIGTERM', 90_000);
    await new Promise((r) => setTimeout(r, 40));
  }
  assert.equal(await stopped, 0, 'the leaving worker finished within the drain grace period');
  live.shift();
  await eventually('every command has its result', () => (actors.driver.live.filter((p) => p.body.type === 'result').length >= sent ? true : undefined), 120_000);
  const results = await actors.driver.readOut();
  assert.equal(results.length, sent, 'exactly one result per command');
  for (const entity of entities) {
    const doc = await actors.db.collection('entities_counter').findOne({ _id: entity as never });
    assert.deepEqual(doc?.state, { value: 25, applied: 25 });
  }
  const storm = (await redeliveries(staying)) - before;
  assert.equal(storm, 0, `commands delivered again after the hand-off: ${storm}`);
});
