/**
 * A worker declared dead (ARCHITECTURE decision 18) is taken over long
 * before its lease expires. Taken over, it must commit nothing, although its
 * lease still looks valid to it for many seconds (SY_LEASE_TTL_MS 20000,
 * renewals only every 5 s here). End to end, a worker cut off from NATS and
 * a worker paused (SIGSTOP) each lose the partition and the client gets the
 * new owner's run. What stops them first depends on timing (the consumer
 * deleted under a paused worker is read as it wakes; a cut-off worker's
 * handler waits for its progress publish); the rule that stops them
 * whatever the timing is checked on its own: after a gap in its own
 * liveness beats a worker asks Redis before it commits
 * (fencedLeases.ts ensureLeaseForCommit), and Redis says the lease was taken over.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { eventually, processMetric } from '../harness/commandDriver.js';
import { CuttableTcpProxy } from '../harness/cuttableTcpProxy.js';
import { connect } from '@nats-io/transport-node';
import { FencedLeases, ensureLeaseForCommit } from '../../actors/runtime/fencedLeases.js';
import { WorkerLiveness } from '../../actors/runtime/workerLiveness.js';
import { PartitionLostError } from '../../actors/runtime/commandErrors.js';
import { createLogger } from '../../platform/index.js';
import { partitionOf } from '../../protocol/index.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { ownerOf, useActorStack } from './actorStack.js';

const actors = useActorStack({ workers: 1, env: { SY_PROBE_ACTOR: 'true', SY_LEASE_TTL_MS: '20000', SY_REBALANCE_INTERVAL_MS: '5000' } });
let proxy: CuttableTcpProxy | undefined;
let proxied: SwitchyardProcess | undefined;

t.before(async () => {
  proxy = await CuttableTcpProxy.start(Number(new URL(actors.stack.env.NATS_URL!).port));
  proxied = await actors.stack.startWorker({ NATS_URL: `nats://127.0.0.1:${proxy.port}` });
});
t.teardown(() => proxy?.stop());

async function evenSpread(workers: SwitchyardProcess[]): Promise<void> {
  await eventually('both workers own 4 probe partitions', async () => {
    const owned = await Promise.all(workers.map((w) => processMetric(w.port, 'switchyard_actor_partitions_owned', { actor: 'probe' })));
    return owned.every((n) => n === actors.partitions / workers.length) ? true : undefined;
  }, 60_000);
}

/** An entity of a partition `worker` owns now. */
async function entityOwnedBy(worker: SwitchyardProcess, workers: SwitchyardProcess[], prefix: string): Promise<{ entity: string; partition: number }> {
  return eventually(`an entity owned by worker ${worker.pid}`, () => {
    for (let n = 0; n < 100; n++) {
      const entity = `${prefix}-${n}`;
      const partition = partitionOf(entity, actors.partitions);
      if (ownerOf(workers, 'probe', partition) === worker) return { entity, partition };
    }
    return undefined;
  });
}

/** The client's only result for `id` is a run that started after `since`, and the entity applied each command once. */
async function onlyTheNewOwnersRun(entity: string, since: number): Promise<void> {
  const first = await actors.driver.result(`${entity}/1`, 60_000);
  const data = (first.body as { data: { startedAt: number } }).data;
  assert.ok(data.startedAt >= since, `the result is the new owner's run (started ${data.startedAt - since} ms after the old owner was cut off or stopped), not the old owner's`);
  await actors.driver.send({ actor: 'probe', entity, name: 'note', id: `${entity}/2` });
  await actors.driver.result(`${entity}/2`);
  const doc = await actors.db.collection('entities_probe').findOne({ _id: entity as never });
  assert.deepEqual(doc?.state.log, [`${entity}/1`, `${entity}/2`], 'each command applied once, in order');
  const results = (await actors.driver.readOut()).filter((p) => p.body.type === 'result' && (p.body.id === `${entity}/1` || p.body.id === `${entity}/2`));
  assert.deepEqual(results.map((p) => (p.body as { id: string }).id), [`${entity}/1`, `${entity}/2`], 'one result per command');
}

t.test('guarantee 7 - a worker cut off from NATS is taken over before its lease expires and commits nothing after that', async (t) => {
  const [a] = actors.stack.workers as [SwitchyardProcess];
  const b = proxied!;
  await evenSpread([a, b]);
  const { entity, partition } = await entityOwnedBy(b, [a, b], 'cut');
  // At the first progress the owner is sleeping through the second step, which ends after it was taken over.
  await actors.driver.send({ actor: 'probe', entity, name: 'work', id: `${entity}/1`, data: { ms: 4000, steps: 2 } });
  await actors.driver.next((p) => p.body.type === 'progress' && p.body.id === `${entity}/1`);
  proxy!.cut();
  const cutAt = Date.now();
  try {
    await eventually('the other worker takes the partition over', () => (ownerOf([a], 'probe', partition) ? true : undefined), 15_000, 20);
    assert.ok(Date.now() - cutAt < 10_000, 'taken over long before the 20 s lease');
    await eventually('the cut-off owner finished its run and gave the partition up', () =>
      (b.logLines().some((l) => l.actor === 'probe' && l.partition === partition && l.msg === 'partition lost') ? true : undefined), 30_000);
  } finally {
    proxy!.restore();
  }
  for (const l of b.logLines()) if (l.actor === 'probe' && Date.parse(String(l.time)) >= cutAt) t.comment(`cut-off owner +${Date.parse(String(l.time)) - cutAt} ms: ${String(l.msg)} ${String(l.partition ?? '')} ${String(l.reason ?? '')}`);
  await onlyTheNewOwnersRun(entity, cutAt);
});

t.test('guarantee 7 - an owner paused past the failure detection time (not its lease) is taken over early and, resumed, commits nothing', async () => {
  const [a] = actors.stack.workers as [SwitchyardProcess];
  const b = proxied!;
  await evenSpread([a, b]);
  const { entity, partition } = await entityOwnedBy(a, [a, b], 'paused');
  const STEP_MS = 600;
  await actors.driver.send({ actor: 'probe', entity, name: 'work', id: `${entity}/1`, data: { ms: 2 * STEP_MS, steps: 2 } });
  await actors.driver.next((p) => p.body.type === 'progress' && p.body.id === `${entity}/1`);
  process.kill(a.pid!, 'SIGSTOP');
  const stoppedAt = Date.now();
  try {
    await eventually('the other worker takes the partition over', () => (ownerOf([b], 'probe', partition) ? true : undefined), 15_000, 20);
    assert.ok(Date.now() - stoppedAt < 10_000, 'taken over long before the 20 s lease');
    // Resumed once its second step is due: it would commit at once unless stopped.
    await new Promise((r) => setTimeout(r, Math.max(0, stoppedAt + STEP_MS + 100 - Date.now())));
  } finally {
    process.kill(a.pid!, 'SIGCONT');
  }
  await eventually('the resumed owner gives the partition up', () =>
    (a.logLines().some((l) => l.actor === 'probe' && l.partition === partition && l.msg === 'partition lost') ? true : undefined), 30_000);
  await onlyTheNewOwnersRun(entity, stoppedAt);
});

t.test('guarantee 7 - a worker that stopped hearing its own liveness beats asks Redis before a commit: taken over from it as dead, its lease fails the check although it looks valid locally', async () => {
  const logger = createLogger({ name: 'early-takeover', level: 'silent' });
  const natsPort = Number(new URL(actors.stack.env.NATS_URL!).port);
  const link = await CuttableTcpProxy.start(natsPort);
  const zombieNc = await connect({ servers: `nats://127.0.0.1:${link.port}`, maxReconnectAttempts: -1, reconnectTimeWait: 50 });
  const survivorNc = await connect({ servers: `nats://127.0.0.1:${natsPort}` });
  const declaredDead: string[] = [];
  const zombie = new WorkerLiveness({ nc: zombieNc, actor: 'earlytest', member: 'zombie', detectionMs: 600, logger, onDead: () => {}, onAlive: () => {} });
  const survivor = new WorkerLiveness({ nc: survivorNc, actor: 'earlytest', member: 'survivor', detectionMs: 600, logger, onDead: (m) => declaredDead.push(m), onAlive: () => {} });
  try {
    zombie.start();
    survivor.start();
    const zombieLeases = new FencedLeases(actors.redis, 'zombie', { ttlMs: 20_000 });
    const survivorLeases = new FencedLeases(actors.redis, 'survivor', { ttlMs: 20_000 });
    const lease = (await zombieLeases.acquire('earlytest:0'))!;
    await new Promise((r) => setTimeout(r, 400));
    const check = () => ensureLeaseForCommit(lease, 20_000, () => zombieLeases.renew(lease), undefined, () => zombie.reconfirmAfter());
    await check();
    assert.equal(await survivorLeases.acquire('earlytest:0', ['someone-else']), undefined, 'a live owner\'s lease is not replaced');

    link.cut();
    const cutAt = Date.now();
    await eventually('the survivor declares the silent worker dead', () => (declaredDead.includes('zombie') ? true : undefined), 10_000, 20);
    const replaced = (await survivorLeases.acquire('earlytest:0', declaredDead))!;
    assert.equal(replaced.takenOverFrom, 'zombie');
    assert.ok(replaced.token > lease.token, 'a takeover hands out a larger fencing token');
    t.comment(`declared dead ${Date.now() - cutAt} ms after the cut`);

    await ensureLeaseForCommit(lease, 20_000, () => zombieLeases.renew(lease));
    await assert.rejects(check(), PartitionLostError, 'cut off: the lease is confirmed with Redis before the commit, and that fails');
    link.restore();
    await eventually('the zombie hears its own beats again', () => (zombie.reconfirmAfter() < Date.now() - 1 ? true : undefined), 10_000, 20);
    await assert.rejects(check(), PartitionLostError, 'heard again: the gap still asks Redis once, and that fails');
  } finally {
    zombie.stop();
    survivor.stop();
    await zombieNc.close();
    await survivorNc.close();
    await link.stop();
  }
});
