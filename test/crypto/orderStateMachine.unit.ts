/**
 * The crypto order state machine and the watcher's bookkeeping as pure
 * functions (no servers): every arrival order of a payment's observations,
 * each delivered twice, ends in the same paid order with one ledger credit;
 * a removal takes back only an unconfirmed sighting; a re-inclusion in
 * another block replaces the old sighting; amounts parse exactly.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { chainTransferId, type CryptoTransferObserved } from '../../protocol/index.js';
import { initialCryptoState, type CryptoOrderState, type WatcherState } from '../../actors/crypto/cryptoState.js';
import { applyObservation, expireOrder, openOrder } from '../../actors/crypto/orderService.js';
import { fromBaseUnits, toBaseUnits } from '../../actors/crypto/assets.js';
import { confirmationReports, rewind } from '../../actors/crypto/watcherService.js';

const ADDRESS = '0x4E33E6C31214F19e28a4F1DC5D73a254c5D54386';
const NOW = 1_000_000;

function opened(due: bigint, required = 3): CryptoOrderState {
  const none = initialCryptoState('o-1') as CryptoOrderState;
  return openOrder(none, {
    owner: 'alice', asset: 'ETH', decimals: 18, token: undefined, chainId: 31337, address: ADDRESS, path: '1/2', amount: '1',
    amountDue: due, required, expiresAt: NOW + 60_000, description: undefined,
  }, NOW).state;
}

function seen(tx: string, amount: bigint, block: number, hash: string, confirmations: number, removed = false): CryptoTransferObserved {
  const txHash = `0x${tx.repeat(64).slice(0, 64)}`;
  return {
    transfer: {
      id: chainTransferId(31337, txHash, 'native'), chainId: 31337, txHash, logIndex: 'native', asset: 'ETH', from: ADDRESS, to: ADDRESS,
      amount: String(amount), blockNumber: block, blockHash: `0x${hash.repeat(64).slice(0, 64)}`,
    },
    confirmations, removed,
  };
}

function permutations<T>(xs: T[]): T[][] {
  if (xs.length <= 1) return [xs];
  return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
}

function applyAll(state: CryptoOrderState, inputs: CryptoTransferObserved[]): { state: CryptoOrderState; credits: bigint } {
  let credits = 0n;
  for (const [i, input] of inputs.entries()) {
    const change = applyObservation('o-1', state, input, `k${i}`, NOW + i);
    for (const e of change.entries) for (const l of e.lines) if (l.account === 'sales') credits += BigInt(l.credit);
    state = change.state;
  }
  return { state, credits };
}

t.test('crypto state machine - every arrival order of a payment\'s observations, each twice, pays the order once', async () => {
  const observations = [1, 2, 3].map((k) => seen('a', 5n, 10, 'b', k));
  for (const order of permutations(observations)) {
    const { state, credits } = applyAll(opened(5n), [...order, ...order]);
    assert.equal(state.status, 'paid');
    assert.equal(state.transfers.length, 1);
    assert.equal(credits, 5n);
  }
});

t.test('crypto state machine - a removal takes back an unconfirmed sighting of that block only; a re-inclusion replaces it and is credited once', async () => {
  let s = applyAll(opened(5n), [seen('a', 5n, 10, 'b', 2)]).state;
  assert.equal(s.status, 'seen');
  assert.equal(applyObservation('o-1', s, seen('a', 5n, 10, 'c', 0, true), 'r0', NOW).changed, false, 'a removal from another block changes nothing');
  s = applyObservation('o-1', s, seen('a', 5n, 10, 'b', 0, true), 'r1', NOW).state;
  assert.equal(s.status, 'awaiting');
  const { state, credits } = applyAll(s, [seen('a', 5n, 11, 'd', 1), seen('a', 5n, 10, 'b', 3, true), seen('a', 5n, 11, 'd', 3)]);
  assert.equal(state.status, 'paid');
  assert.equal(credits, 5n);
  assert.equal(applyObservation('o-1', state, seen('a', 5n, 11, 'd', 0, true), 'r2', NOW).changed, false, 'a confirmed transfer is not taken back');
});

t.test('crypto state machine - underpaid waits; expired closes it; a later transfer is late and owed back, never credited', async () => {
  let s = applyAll(opened(5n), [seen('a', 2n, 10, 'b', 3)]).state;
  assert.equal(s.status, 'underpaid');
  s = expireOrder('o-1', s, 'exp', NOW + 60_000).state;
  assert.equal(s.status, 'expired');
  const { state, credits } = applyAll(s, [seen('c', 3n, 12, 'e', 3)]);
  assert.equal(state.status, 'expired');
  assert.equal(state.transfers[1]!.late, true);
  assert.equal(credits, 0n);
  assert.equal(state.ledger.refundDue, '5');
});

t.test('crypto state machine - a seen order is not expired at its expiry; it waits for its confirmations', async () => {
  const s = applyAll(opened(5n), [seen('a', 5n, 10, 'b', 1)]).state;
  assert.equal(expireOrder('o-1', s, 'exp', NOW + 60_000).changed, false);
});

t.test('crypto amounts - decimal strings to base units and back, exactly, refusing 0 and extra decimals', async () => {
  assert.equal(toBaseUnits('0.05', 18), 50_000_000_000_000_000n);
  assert.equal(toBaseUnits('12.5', 6), 12_500_000n);
  assert.equal(fromBaseUnits(12_500_000n, 6), '12.5');
  assert.equal(toBaseUnits('123456789.123456789123456789', 18), 123_456_789_123_456_789_123_456_789n);
  assert.throws(() => toBaseUnits('0.000', 6), /greater than 0/);
  assert.throws(() => toBaseUnits('1.0000001', 6), /7 decimal places; this asset has 6/);
});

t.test('crypto watcher - a rewind removes the pending transfers above the common ancestor; confirmations are reported up to N, once each', async () => {
  const watcher: WatcherState = {
    kind: 'watcher', checkpoint: { number: 12, hash: '0x12' }, recent: [10, 11, 12].map((n) => ({ number: n, hash: `0x${n}` })), blocksScanned: 0, reorgs: 0,
    pending: [{ order: 'o-1', transfer: seen('a', 5n, 10, 'b', 1).transfer, sent: 3 }, { order: 'o-2', transfer: seen('c', 5n, 12, 'd', 1).transfer, sent: 1 }],
  };
  const { state, removals } = rewind(watcher, { number: 11, hash: '0x11' });
  assert.deepEqual(removals.map((r) => [r.order, r.observed.removed]), [['o-2', true]]);
  assert.deepEqual(state.recent.map((b) => b.number), [10, 11]);
  const first = confirmationReports(watcher.pending, 13, 3);
  assert.deepEqual(first.reports.map((r) => [r.order, r.observed.confirmations]), [['o-2', 2]]);
  const second = confirmationReports(first.pending, 14, 3);
  assert.deepEqual(second.reports.map((r) => [r.order, r.observed.confirmations]), [['o-2', 3]]);
  assert.deepEqual(second.pending, [], 'confirmed transfers leave the pending list');
});
