/**
 * The chain watcher SIGKILLed in the middle of a block range, against a
 * real local Ethereum node and two workers: the watcher's JSON-RPC requests
 * pass a gate (test/harness/gatedJsonRpcProxy.ts) that lets it read the
 * range a request at a time; once it has reported the first payment of the
 * range — its checkpoint still before the range — the worker running it is
 * killed. The other worker takes the watcher's partition over, reads the
 * range again from the checkpoint, and every order is paid: nothing
 * credited twice, nothing missed.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { processMetric } from '../harness/commandDriver.js';
import { CRYPTO_LEDGER_COLLECTION } from '../../actors/crypto/index.js';
import type { CryptoOrderView } from '../../protocol/index.js';
import {
  CONFIRMATIONS, accountCredit, committedLedger, eventually, mineAndWatch, orderReaches, orderState,
  cryptoSuite, uniqueOrder, watcherCaughtUp, watcherState, type CryptoFixture,
} from './cryptoTestKit.js';

const suite = cryptoSuite({
  workers: 2, gatedRpc: true,
  env: { SY_LEASE_TTL_MS: '2000', SY_REBALANCE_INTERVAL_MS: '300', SY_ACTOR_ACK_WAIT_MS: '5000', SY_CRYPTO_BLOCKS_PER_TICK: '50' },
});

async function workerRunningTheWatcher(f: CryptoFixture): Promise<SwitchyardProcess> {
  return eventually('the worker running the watcher', async () => {
    for (const w of f.stack.workers) {
      if (await processMetric(w.port, 'switchyard_actor_handlers_running', { actor: 'crypto' }).catch(() => 0) >= 1) return w;
    }
    return undefined;
  });
}

t.test('crypto - the watcher SIGKILLed in the middle of a block range resumes from its checkpoint on another worker: nothing credited twice, nothing missed', async () => {
  const { f, alice } = suite;
  const rpc = f.rpc!;
  const orders: Array<{ order: string; view: CryptoOrderView }> = [];
  for (let i = 0; i < 5; i++) {
    const order = uniqueOrder(`crash${i}`);
    orders.push({ order, view: await alice.checkout(order, 'ETH', '0.01') });
  }
  await watcherCaughtUp(f);
  rpc.close();
  await eventually('the watcher waiting at the gate', () => (rpc.waiting() > 0 ? true : undefined));
  const start = (await watcherState(f))!.checkpoint!.number;
  for (const { view } of orders) {
    await f.chain.chain.payNative(view.address, 10_000_000_000_000_000n);
    await f.chain.chain.mine(1);
  }
  // Let the watcher read the range one request at a time until the first payment reached its order.
  const withTransfer = async () => (await Promise.all(orders.map(({ order }) => orderState(f, order)))).filter((s) => s!.transfers.length > 0).length;
  for (let i = 0; i < 500 && await withTransfer() === 0; i++) {
    rpc.allow(1);
    await sleep(100);
  }
  const reported = await withTransfer();
  assert.ok(reported >= 1 && reported < orders.length, `killed mid-range: ${reported} of ${orders.length} payments reported`);
  assert.equal((await watcherState(f))!.checkpoint!.number, start, 'its checkpoint is still before the range');
  const victim = await workerRunningTheWatcher(f);
  await victim.kill();
  f.stack.workers.splice(f.stack.workers.indexOf(victim), 1);
  rpc.open();
  await mineAndWatch(f, CONFIRMATIONS);
  for (const { order } of orders) {
    const paid = await orderReaches(f, order, 'paid', (s) => s.status === 'paid');
    assert.equal(paid.transfers.length, 1, `${order}: one transfer`);
    const ledger = await committedLedger(f, order);
    assert.deepEqual(ledger.map((e) => e.kind), ['payment'], `${order}: credited once`);
    assert.equal(accountCredit(ledger, 'sales'), 10_000_000_000_000_000n);
    assert.equal(await f.db.collection(CRYPTO_LEDGER_COLLECTION).countDocuments({ order }), 1, `${order}: one ledger document`);
  }
  assert.ok((await watcherState(f))!.checkpoint!.number > start + orders.length * 2 - 1);
});
