/**
 * Commands to 100 entities while workers join, leave gracefully (SIGTERM)
 * and crash (SIGKILL). SY_CHURN_COMMANDS sets how many (npm test: 2,000;
 * `npm run test:churn`: 10,000). Every counter command adds 1, so applying
 * each command exactly once and in order means: the i-th command sent to an
 * entity answers value i, and the entity ends at the number of its commands.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { eventually } from '../harness/commandDriver.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { useActorStack } from './actorStack.js';

const COMMANDS = Number(process.env.SY_CHURN_COMMANDS ?? 2000);
const ENTITIES = 100;
const PARTITIONS = 16;

const actors = useActorStack({
  workers: 2,
  partitions: PARTITIONS,
  env: {
    SY_LEASE_TTL_MS: '4000', SY_REBALANCE_INTERVAL_MS: '300', SY_LOG_LEVEL: 'warn',
    // Hand-offs wait for running commands; FerretDB on a shared 2-core machine can make those slow.
    SY_DRAIN_GRACE_MS: '60000',
  },
});

t.test(`guarantee 7, 8 - ${COMMANDS} commands to ${ENTITIES} entities while workers join, leave and are killed: each applied exactly once, in order, with one result`, async (t) => {
  const started = Date.now();
  const positions = new Map<string, { entity: string; position: number }>();
  const perEntity = new Array<number>(ENTITIES).fill(0);
  const inFlight = new Set<Promise<unknown>>();
  for (let i = 0; i < COMMANDS; i++) {
    const e = i % ENTITIES;
    const id = `c${i}`;
    positions.set(id, { entity: `churn-${e}`, position: ++perEntity[e]! });
    // Sent in order: one connection, publishes issued in sequence (acks awaited in a window).
    const p = actors.driver.send({ actor: 'counter', entity: `churn-${e}`, name: 'add', id, data: { by: 1 } });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    if (inFlight.size >= 256) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);

  const resultIds = () => new Set(actors.driver.live.flatMap((p) => (p.body.type === 'result' ? [p.body.id] : [])));
  const reach = (fraction: number) => eventually(`${Math.round(fraction * 100)} % of the results`, () => (resultIds().size >= fraction * COMMANDS ? true : undefined), 600_000, 100);
  const [w1, w2] = actors.stack.workers as [SwitchyardProcess, SwitchyardProcess];
  const events: string[] = [];
  await reach(0.1);
  const w3 = await actors.stack.startWorker({ SY_LOG_LEVEL: 'warn' });
  events.push('join w3');
  await reach(0.25);
  assert.equal(await w1.stop('SIGTERM', 90_000), 0, 'graceful leave exits 0');
  events.push('leave w1 (SIGTERM)');
  await reach(0.4);
  await w2.kill();
  events.push('kill w2 (SIGKILL)');
  await reach(0.5);
  const w4 = await actors.stack.startWorker({ SY_LOG_LEVEL: 'warn' });
  events.push('join w4');
  await reach(0.65);
  await w3.kill();
  events.push('kill w3 (SIGKILL)');
  await reach(0.75);
  await actors.stack.startWorker({ SY_LOG_LEVEL: 'warn' });
  events.push('join w5');
  await reach(0.85);
  assert.equal(await w4.stop('SIGTERM', 90_000), 0, 'graceful leave exits 0');
  events.push('leave w4 (SIGTERM)');
  await reach(1);
  const seconds = (Date.now() - started) / 1000;
  t.comment(`${COMMANDS} commands in ${seconds.toFixed(1)} s (${(COMMANDS / seconds).toFixed(0)}/s) through: ${events.join(', ')}`);

  // Exactly one result per command in OUT, each answering the command's position in its entity's order.
  const out = await actors.driver.readOut();
  const byId = new Map<string, number[]>();
  for (const p of out) {
    if (p.body.type !== 'result') continue;
    assert.ok(p.body.ok, `command ${p.body.id} failed: ${JSON.stringify(p.body)}`);
    byId.set(p.body.id, [...(byId.get(p.body.id) ?? []), (p.body.data as { value: number }).value]);
  }
  const missing = [...positions.keys()].filter((id) => !byId.has(id));
  const duplicated = [...byId].filter(([, values]) => values.length > 1).map(([id]) => id);
  assert.deepEqual({ missing: missing.slice(0, 10), duplicated: duplicated.slice(0, 10) }, { missing: [], duplicated: [] });
  const misordered = [...positions].filter(([id, { position }]) => byId.get(id)![0] !== position);
  if (misordered.length > 0) {
    // What the workers said about ownership, for the post-mortem.
    for (const [i, w] of actors.stack.workers.entries()) {
      for (const l of w.logLines().filter((x) => Number(x.level) >= 40)) t.comment(`w${i + 1} ${JSON.stringify(l).slice(0, 400)}`);
    }
  }
  assert.deepEqual(misordered.slice(0, 10).map(([id, p]) => ({ id, ...p, value: byId.get(id)![0] })), [], 'the i-th command of an entity answers i');
  const docs = await actors.db.collection('entities_counter').find({ _id: { $regex: '^churn-' } as never }).toArray();
  assert.equal(docs.length, ENTITIES);
  for (const doc of docs) {
    const n = perEntity[Number(String(doc._id).slice('churn-'.length))]!;
    assert.deepEqual(doc.state, { value: n, applied: n }, `${String(doc._id)} applied each of its ${n} commands once`);
  }
});
