/**
 * Guarantee 12 with fast failure detection: the scheduler's lease (timers,
 * cron) changes hands like a partition's when its holder is declared dead
 * by the workers' liveness beats (ARCHITECTURE decision 18), not after the
 * lease TTL. The lease here lasts 20 s, so a takeover after it and one by
 * detection (600 ms) cannot be confused.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { eventually, processMetric } from '../harness/commandDriver.js';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { useActorStack } from './actorStack.js';

const LEASE_TTL_MS = 20_000;
const actors = useActorStack({
  workers: 2,
  env: { SY_PROBE_ACTOR: 'true', SY_LEASE_TTL_MS: String(LEASE_TTL_MS), SY_FAILURE_DETECTION_MS: '600', SY_REBALANCE_INTERVAL_MS: '300', SY_TIMER_POLL_MS: '100' },
});

interface ProbeDoc { state: { ticks: number[] } }
const ticks = async () => ((await actors.db.collection('entities_probe').findOne({ _id: 'clock' as never })) as ProbeDoc | null)?.state.ticks ?? [];

async function leaders(workers: SwitchyardProcess[]): Promise<SwitchyardProcess[]> {
  const leading = [];
  for (const w of workers) if (await processMetric(w.port, 'switchyard_actor_scheduler_leader') === 1) leading.push(w);
  return leading;
}

t.test('guarantee 12 - a SIGKILLed scheduler leader is replaced once it is declared dead, long before its lease TTL, and cron ticks go on once each', async () => {
  const workers = actors.stack.workers;
  const [old] = await eventually('one worker leads the scheduler', async () => {
    const leading = await leaders(workers);
    return leading.length === 1 ? leading : undefined;
  });
  const before = (await eventually('2 ticks applied', async () => ((await ticks()).length >= 2 ? ticks() : undefined), 30_000, 200)).length;
  const killedAt = Date.now();
  await old!.kill();
  const survivor = workers.find((w) => w !== old)!;
  const line = await eventually('the survivor takes the scheduler lease over', () => survivor.logLines().find((l) => l.msg === 'scheduler leadership acquired' && l.takenOverFrom !== undefined), LEASE_TTL_MS, 100);
  const tookMs = Date.now() - killedAt;
  t.comment(`scheduler lease taken over ${tookMs} ms after the SIGKILL (lease TTL ${LEASE_TTL_MS} ms)`);
  assert.ok(tookMs < LEASE_TTL_MS / 2, `taken over by detection, not after the TTL (${tookMs} ms)`);
  assert.match(String(line.takenOverFrom), /:/, 'from the dead worker\'s member id');

  const after = await eventually('3 more ticks applied', async () => {
    const list = await ticks();
    return list.length >= before + 3 ? list : undefined;
  }, 30_000, 200);
  assert.equal(new Set(after).size, after.length, `no tick applied twice: ${after.join(',')}`);
  assert.deepEqual([...after].sort((a, b) => a - b), after, 'ticks applied in time order');
});
