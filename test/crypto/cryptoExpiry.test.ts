/**
 * Crypto orders past their expiry (SY_CRYPTO_ORDER_TTL_S = 3 here), against
 * a real local Ethereum node: an order with no payment expires; a payment
 * arriving afterwards is recorded for refund, never credited to the closed
 * order. After every test the ledger balances.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import {
  CONFIRMATIONS, TEST_TOKEN, accountCredit, committedLedger, eventually, mineAndWatch, orderReaches,
  cryptoSuite, uniqueOrder,
} from './cryptoTestKit.js';

const suite = cryptoSuite({ workers: 1, env: { SY_CRYPTO_ORDER_TTL_S: '3' } });

t.test('crypto - an order past its expiry with no payment is expired; a payment after expiry is recorded for refund, not credited', async () => {
  const { f, alice } = suite;
  const order = uniqueOrder('expiry');
  const view = await alice.checkout(order, 'ETH', '0.03');
  const expired = await orderReaches(f, order, 'expired', (s) => s.status === 'expired');
  assert.ok(expired.updatedAt >= view.expiresAt, 'not before its expiry');
  await eventually('the expired push', () => (alice.pushes(order).some((p) => p.status === 'expired') ? true : undefined));
  assert.equal((await committedLedger(f, order)).length, 0, 'nothing to post for an order that received nothing');
  await f.chain.chain.payNative(view.address, 30_000_000_000_000_000n);
  await mineAndWatch(f, CONFIRMATIONS);
  const late = await orderReaches(f, order, 'the late transfer confirmed', (s) => s.transfers[0]?.confirmations === CONFIRMATIONS);
  assert.equal(late.status, 'expired', 'a closed order stays closed');
  assert.equal(late.transfers[0]!.late, true);
  const got = await alice.send(order, 'get');
  assert.equal(got.data.refundDue, '30000000000000000');
  assert.equal(got.data.amountConfirmed, '0', 'not credited to the order');
  const ledger = await committedLedger(f, order);
  assert.deepEqual(ledger.map((e) => e.kind), ['refund_due']);
  assert.equal(accountCredit(ledger, 'sales'), 0n);
  assert.equal(accountCredit(ledger, 'refunds_payable'), 30_000_000_000_000_000n);
});

t.test('crypto - an underpaid order expires and what it received is owed back', async () => {
  const { f, alice } = suite;
  const order = uniqueOrder('under-expiry');
  const view = await alice.checkout(order, 'TUSD', '4');
  await f.chain.chain.payToken(f.chain.token, TEST_TOKEN.abi, view.address, 1_000_000n);
  await orderReaches(f, order, 'expired', (s) => s.status === 'expired');
  await mineAndWatch(f, CONFIRMATIONS);
  await orderReaches(f, order, 'the payment confirmed', (s) => s.transfers[0]?.confirmations === CONFIRMATIONS);
  const ledger = await committedLedger(f, order);
  assert.equal(accountCredit(ledger, 'sales'), 0n);
  assert.equal(accountCredit(ledger, 'refunds_payable'), 1_000_000n);
});
