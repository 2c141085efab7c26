/** The applied memory's bounds (actors/runtime/appliedMemory.ts): count and bytes. Pure, no servers. */
import t from 'tap';
import assert from 'node:assert/strict';
import { STORED_RESULT_MAX_BYTES, remember } from '../../actors/runtime/appliedMemory.js';

t.test('guarantee 8 - the applied memory keeps the newest commands, and a result over the size cap as a RESULT_NOT_KEPT refusal', async () => {
  let applied = remember([], 'u:1', { type: 'result', id: '1', ok: true, data: { n: 1 } }, 2);
  applied = remember(applied, 'u:2', { type: 'result', id: '2', ok: true }, 2);
  applied = remember(applied, 'u:3', { type: 'result', id: '3', ok: true, data: 'x'.repeat(STORED_RESULT_MAX_BYTES) }, 2);
  assert.deepEqual(applied.map((a) => a.key), ['u:2', 'u:3'], 'the oldest is dropped past the count');
  assert.deepEqual(applied[0]!.result, { type: 'result', id: '2', ok: true }, 'a small result is kept as it was');
  const big = applied[1]!.result;
  assert.ok(big.type === 'result' && !big.ok && big.error.code === 'RESULT_NOT_KEPT', JSON.stringify(big).slice(0, 200));
  assert.ok(big.type === 'result' && !big.ok && (big.error.details as { bytes: number }).bytes > STORED_RESULT_MAX_BYTES);
  assert.ok(JSON.stringify(applied).length < 1024, 'the memory stays small');
});
