/**
 * Guarantee 4's reconnect spread: a draining gateway sends its clients back
 * at most SY_DRAIN_RECONNECTS_PER_SECOND a second, within
 * SY_DRAIN_RECONNECT_SPREAD_MS — a few clients at once, many spread out.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { drainReconnectSpreadMs, reconnectAfterMs } from '../../gateway/drainReconnects.js';

t.test('drain - the reconnect spread grows with the clients at the reconnect rate, up to the maximum spread', async () => {
  assert.equal(drainReconnectSpreadMs(0, 1000, 2000), 0);
  assert.equal(drainReconnectSpreadMs(16, 1000, 2000), 16, '16 clients at 1000/s: 16 ms');
  assert.equal(drainReconnectSpreadMs(1500, 1000, 2000), 1500);
  assert.equal(drainReconnectSpreadMs(15_000, 1000, 2000), 2000, '15,000 clients: capped at the maximum spread');
  assert.equal(drainReconnectSpreadMs(3, 1000, 0), 0, 'a spread of 0 sends everyone back at once');
  for (let i = 0; i < 1000; i++) {
    const delay = reconnectAfterMs(16);
    assert.ok(Number.isInteger(delay) && delay >= 0 && delay <= 16, `${delay} within [0, 16]`);
  }
});
