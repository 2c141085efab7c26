/**
 * The crypto actor against a real local Ethereum node (Hardhat Network),
 * real NATS, Redis and mongowire: an order is checked out, paid on-chain
 * from the dev account, detected by the chain watcher, confirmed after
 * SY_CRYPTO_CONFIRMATIONS blocks and credited exactly once. After every
 * test the ledger balances.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import {
  CONFIRMATIONS, CryptoPayer, TEST_TOKEN, accountCredit, committedLedger, discordMessagesAbout, eventually, mineAndWatch,
  orderReaches, cryptoSuite, uniqueOrder, watcherCaughtUp, watcherState,
} from './cryptoTestKit.js';

const suite = cryptoSuite({ workers: 1 });

t.test('crypto - an exact ETH payment is seen, confirmed after N blocks and paid once; pushes show k of N; the ledger credits it once', async () => {
  const { f, alice } = suite;
  const order = uniqueOrder('exact');
  const view = await alice.checkout(order, 'ETH', '0.05');
  assert.equal(view.status, 'awaiting');
  assert.equal(view.amountDue, '50000000000000000');
  assert.match(view.address, /^0x[0-9a-fA-F]{40}$/);
  assert.equal(view.paymentUri, `ethereum:${view.address}@31337?value=50000000000000000`);
  assert.ok(view.expiresAt > Date.now());
  await f.chain.chain.payNative(view.address, 50_000_000_000_000_000n);
  await orderReaches(f, order, 'seen', (s) => s.status === 'seen');
  await mineAndWatch(f, CONFIRMATIONS - 1);
  const paid = await orderReaches(f, order, 'paid', (s) => s.status === 'paid');
  assert.equal(paid.transfers.length, 1);
  await mineAndWatch(f, 2);
  const pushes = await eventually('paid push', () => (alice.pushes(order).some((p) => p.status === 'paid') ? alice.pushes(order) : undefined));
  assert.deepEqual(pushes.map((p) => [p.status, p.confirmations]), [['awaiting', 0], ...Array.from({ length: CONFIRMATIONS - 1 }, (_, i) => ['seen', i + 1]), ['paid', CONFIRMATIONS]]);
  const ledger = await committedLedger(f, order);
  assert.deepEqual(ledger.map((e) => e.kind), ['payment']);
  assert.equal(accountCredit(ledger, 'sales'), 50_000_000_000_000_000n);
  assert.equal(await f.chain.chain.balance(view.address), 50_000_000_000_000_000n, 'the money is at the order\'s own address');
  await eventually('the paid notice', () => (discordMessagesAbout(f, order).length === 1 ? true : undefined));
  const got = await alice.send(order, 'get');
  assert.equal(got.data.status, 'paid');
  assert.equal(got.data.version, paid.version, 'nothing changed after paid');
});

t.test('crypto - two token payments to one order in one block (underpay, then top-up) are both credited', async () => {
  const { f, alice } = suite;
  const order = uniqueOrder('topup');
  const view = await alice.checkout(order, 'TUSD', '12.5');
  assert.equal(view.amountDue, '12500000');
  assert.equal(view.paymentUri, `ethereum:${f.chain.token}@31337/transfer?address=${view.address}&uint256=12500000`);
  await f.chain.chain.setAutomine(false);
  try {
    await f.chain.chain.payToken(f.chain.token, TEST_TOKEN.abi, view.address, 10_000_000n);
    await f.chain.chain.payToken(f.chain.token, TEST_TOKEN.abi, view.address, 2_500_000n);
    await f.chain.chain.mine(1);
  } finally {
    await f.chain.chain.setAutomine(true);
  }
  const seen = await orderReaches(f, order, 'seen', (s) => s.status === 'seen');
  assert.equal(seen.transfers.length, 2);
  assert.equal(seen.transfers[0]!.blockNumber, seen.transfers[1]!.blockNumber, 'both in one block');
  await mineAndWatch(f, CONFIRMATIONS - 1);
  const paid = await orderReaches(f, order, 'paid', (s) => s.status === 'paid');
  assert.deepEqual(paid.transfers.map((t) => t.amount).sort(), ['10000000', '2500000']);
  const ledger = await committedLedger(f, order);
  assert.equal(accountCredit(ledger, 'sales'), 12_500_000n);
  assert.equal(accountCredit(ledger, 'refunds_payable'), 0n);
});

t.test('crypto - an underpayment waits as underpaid; a later top-up makes it paid', async () => {
  const { f, alice } = suite;
  const order = uniqueOrder('under');
  const view = await alice.checkout(order, 'TUSD', '5');
  await f.chain.chain.payToken(f.chain.token, TEST_TOKEN.abi, view.address, 3_000_000n);
  await mineAndWatch(f, CONFIRMATIONS);
  const under = await orderReaches(f, order, 'underpaid', (s) => s.status === 'underpaid');
  assert.equal(under.transfers[0]!.confirmations, CONFIRMATIONS, 'confirmed, but not enough');
  await f.chain.chain.payToken(f.chain.token, TEST_TOKEN.abi, view.address, 2_000_000n);
  await mineAndWatch(f, CONFIRMATIONS);
  await orderReaches(f, order, 'paid', (s) => s.status === 'paid');
  assert.equal(accountCredit(await committedLedger(f, order), 'sales'), 5_000_000n);
});

t.test('crypto - an overpayment pays the order and records the excess for refund', async () => {
  const { f, alice } = suite;
  const order = uniqueOrder('over');
  const view = await alice.checkout(order, 'ETH', '0.01');
  await f.chain.chain.payNative(view.address, 15_000_000_000_000_000n);
  await mineAndWatch(f, CONFIRMATIONS);
  await orderReaches(f, order, 'overpaid', (s) => s.status === 'overpaid');
  const got = await alice.send(order, 'get');
  assert.equal(got.data.refundDue, '5000000000000000');
  const ledger = await committedLedger(f, order);
  assert.deepEqual(ledger.map((e) => e.kind), ['payment', 'refund_due']);
  assert.equal(accountCredit(ledger, 'sales'), 10_000_000_000_000_000n);
  assert.equal(accountCredit(ledger, 'refunds_payable'), 5_000_000_000_000_000n);
});

t.test('crypto - a reorg that removes the payment before N confirmations sends the order back to awaiting; the replacement chain\'s payment is credited once', async () => {
  const { f, alice } = suite;
  const order = uniqueOrder('reorg');
  const view = await alice.checkout(order, 'ETH', '0.02');
  await watcherCaughtUp(f);
  const fork = await f.chain.chain.snapshot();
  const before = (await watcherState(f))!.reorgs;
  await f.chain.chain.payNative(view.address, 20_000_000_000_000_000n);
  await mineAndWatch(f, CONFIRMATIONS - 2);
  const seen = await orderReaches(f, order, `seen with ${CONFIRMATIONS - 1} confirmations`, (s) => s.status === 'seen' && s.transfers[0]?.confirmations === CONFIRMATIONS - 1);
  const removedBlock = seen.transfers[0]!.blockHash;
  // The payment's block and the one on it are replaced by another chain of the same height, without the payment.
  await f.chain.chain.revert(fork);
  await f.chain.chain.payNative(f.chain.chain.account, 1n);
  await f.chain.chain.mine(CONFIRMATIONS - 2);
  const back = await orderReaches(f, order, 'awaiting again', (s) => s.status === 'awaiting');
  assert.deepEqual(back.transfers, []);
  // The watcher sends the removals before its own commit lands: its count of reorgs may trail the order by a moment.
  await eventually('the watcher counted the reorg', async () => ((await watcherState(f))!.reorgs > before ? true : undefined), 10_000);
  // The payment lands again on the new chain and is credited once.
  await f.chain.chain.payNative(view.address, 20_000_000_000_000_000n);
  await mineAndWatch(f, CONFIRMATIONS);
  const paid = await orderReaches(f, order, 'paid', (s) => s.status === 'paid');
  assert.equal(paid.transfers.length, 1);
  assert.notEqual(paid.transfers[0]!.blockHash, removedBlock);
  const ledger = await committedLedger(f, order);
  assert.deepEqual(ledger.map((e) => e.kind), ['payment']);
  assert.equal(accountCredit(ledger, 'sales'), 20_000_000_000_000_000n);
  const statuses = alice.pushes(order).map((p) => p.status);
  assert.deepEqual(statuses.filter((st, i) => st !== statuses[i - 1]), ['awaiting', 'seen', 'awaiting', 'seen', 'paid']);
});

t.test('crypto - bad input gets a clear error code and credits nothing: unknown asset, amount 0 or past the decimals, another user\'s order', async () => {
  const { f, alice } = suite;
  const cases: Array<[unknown, string, RegExp]> = [
    [{ asset: 'DOGE', amount: '1' }, 'VALIDATION', /Unknown asset DOGE; this service accepts ETH, TUSD/],
    [{ asset: 'ETH', amount: '0' }, 'VALIDATION', /greater than 0/],
    [{ asset: 'ETH', amount: '-1' }, 'VALIDATION', /amount/],
    [{ asset: 'TUSD', amount: '1.0000001' }, 'VALIDATION', /7 decimal places; this asset has 6/],
  ];
  for (const [data, code, message] of cases) {
    const order = uniqueOrder('bad');
    const r = await alice.send(order, 'checkout', data);
    assert.equal(r.ok, false, JSON.stringify(data));
    assert.equal(r.error.code, code);
    assert.match(r.error.message, message);
    const get = await alice.send(order, 'get');
    assert.equal(get.error?.code, 'NOT_FOUND', 'no order was opened');
  }
  const order = uniqueOrder('private');
  await alice.checkout(order, 'ETH', '1');
  const bob = await CryptoPayer.connect(f.stack, 'bob');
  try {
    for (const name of ['get', 'ledger']) assert.equal((await bob.send(order, name)).error?.code, 'NOT_FOUND');
    assert.equal((await bob.send(order, 'checkout', { asset: 'ETH', amount: '1' })).error?.code, 'CONFLICT');
    assert.equal((await bob.send(order, 'chain.transfer', { transfer: {}, confirmations: 9, removed: false })).error?.code, 'FORBIDDEN');
  } finally {
    await bob.close();
  }
  assert.equal((await committedLedger(f, order)).length, 0);
});
