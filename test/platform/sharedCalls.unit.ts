/** SharedCalls (platform/sharedCalls.ts): concurrent calls for one key share one call; nothing is cached after it settles. Pure. */
import t from 'tap';
import assert from 'node:assert/strict';
import { SharedCalls } from '../../platform/sharedCalls.js';

t.test('shared calls - concurrent calls for one key make one call, other keys their own, and a settled call is not reused', async () => {
  const calls = new SharedCalls<string, number>();
  let made = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => { release = r; });
  const call = async () => { made++; await gate; return made; };
  const together = [calls.run('a', call), calls.run('a', call), calls.run('b', call)];
  assert.equal(made, 2, 'one call for a, one for b');
  release();
  assert.deepEqual(await Promise.all(together), [2, 2, 2]);
  assert.equal(await calls.run('a', call), 3, 'after it settled, the next run calls again');
});

t.test('shared calls - a rejection reaches every caller that shared the call, and the key is free again', async () => {
  const calls = new SharedCalls<string, number>();
  const failing = () => Promise.reject(new Error('down'));
  const results = await Promise.allSettled([calls.run('k', failing), calls.run('k', failing)]);
  assert.deepEqual(results.map((r) => r.status), ['rejected', 'rejected']);
  assert.equal(await calls.run('k', async () => 7), 7);
});
