import t from 'tap';
import assert from 'node:assert/strict';
import { Backoff } from '../../client/backoff.js';

t.test('client backoff - full jitter: each delay lies in [0, min(cap, base·2^n)) and the ceiling grows', async () => {
  const top = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.999999 });
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(() => top.next()), [99, 199, 399, 799, 999, 999]);
  const bottom = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0 });
  assert.deepEqual([1, 2, 3].map(() => bottom.next()), [0, 0, 0]);
});

t.test('client backoff - reset starts again from the base', async () => {
  const b = new Backoff({ baseMs: 100, capMs: 1000, random: () => 0.5 });
  b.next(); b.next(); b.next();
  b.reset();
  assert.equal(b.next(), 50);
});
