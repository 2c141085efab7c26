/** CoalescedRuns (platform/coalescedRuns.ts): never two runs at once, requests during a run make exactly one more, failures do not stop it. Pure. */
import t from 'tap';
import assert from 'node:assert/strict';
import { CoalescedRuns } from '../../platform/coalescedRuns.js';

/** A task whose runs wait on a gate each; counts runs started and the most running at once. */
function gatedTask() {
  const gates: Array<() => void> = [];
  const state = { started: 0, running: 0, mostAtOnce: 0 };
  const task = async () => {
    state.started++;
    state.running++;
    state.mostAtOnce = Math.max(state.mostAtOnce, state.running);
    await new Promise<void>((r) => gates.push(r));
    state.running--;
  };
  const openNext = async () => {
    while (gates.length === 0) await new Promise((r) => setImmediate(r));
    gates.shift()!();
  };
  return { task, state, openNext };
}

t.test('coalesced runs - requests during a run make exactly one more run after it, never two at once', async () => {
  const { task, state, openNext } = gatedTask();
  const runs = new CoalescedRuns(task, (err) => { throw err; });
  const first = runs.run();
  const joined = [runs.run(), runs.run(), runs.run()];
  assert.equal(state.started, 1, 'the requests during the run did not start one of their own');
  assert.equal(runs.busy, true);
  await openNext();
  await openNext();
  await Promise.all([first, ...joined]);
  assert.equal(state.started, 2, 'three requests during the first run made one more run');
  assert.equal(state.mostAtOnce, 1);
  assert.equal(runs.busy, false);
});

t.test('coalesced runs - a failed run goes to onError and a requested run still happens; cancelPending drops it', async () => {
  const errors: unknown[] = [];
  let started = 0;
  let release!: () => void;
  const runs = new CoalescedRuns(async () => {
    started++;
    if (started === 1) {
      await new Promise<void>((r) => { release = r; });
      throw new Error('first run failed');
    }
  }, (err) => errors.push(err));
  const first = runs.run();
  void runs.run();
  release();
  await first;
  assert.equal(started, 2, 'the run asked for during the failing one still ran');
  assert.deepEqual(errors.map((e) => (e as Error).message), ['first run failed']);

  const { task, state, openNext } = gatedTask();
  const cancelled = new CoalescedRuns(task, (err) => { throw err; });
  const run = cancelled.run();
  void cancelled.run();
  cancelled.cancelPending();
  await openNext();
  await run;
  assert.equal(state.started, 1, 'the pending run was dropped');
});
