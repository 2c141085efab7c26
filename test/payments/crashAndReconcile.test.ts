/**
 * The payments actor when things go wrong around Stripe, against real
 * servers with two workers: a worker killed (SIGKILL) after Stripe did the
 * work but before the commit, and a webhook that never arrives. stripe-mock
 * does not enforce idempotency keys (it creates a new object per request),
 * so "one PaymentIntent" is shown by the same key on both attempts — the
 * key real Stripe answers with the first object — and by one ledger entry
 * set. After every test the ledger as a whole balances.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import type { SwitchyardProcess } from '../../deploy/local/switchyardProcess.js';
import { processMetric } from '../harness/commandDriver.js';
import { RECONCILER_ENTITY } from '../../actors/payments/index.js';
import {
  Payer, assertLedgerBalances, checkedOut, committedLedger, deliverWebhook, discordMessagesAbout, eventually, orderDocument, orderReaches,
  paymentIntentObject, startPaymentsFixture, storedLedger, stripeEventPayload, uniqueOrder, type PaymentsFixture,
} from './paymentsTestKit.js';

let f: PaymentsFixture;
let alice: Payer;
const killed = new Set<SwitchyardProcess>();

t.before(async () => {
  f = await startPaymentsFixture({
    workers: 2,
    env: { SY_LEASE_TTL_MS: '2000', SY_REBALANCE_INTERVAL_MS: '300', SY_PAYMENTS_RECONCILE_INTERVAL_S: '1' },
  });
  alice = await Payer.connect(f.stack, 'alice');
});
t.teardown(async () => {
  await alice?.close().catch(() => {});
  await f?.stop();
});
t.afterEach(async () => { await assertLedgerBalances(f); });

/**
 * The live worker whose payments handler is held in a Stripe call. The
 * reconciler's cron tick also runs a payments handler for a moment, so a
 * worker counts only when it is the one live worker running any: the held
 * handler keeps its worker counted until the answer is released.
 */
async function workerHoldingPayments(): Promise<SwitchyardProcess> {
  return eventually('exactly one worker running a payments handler', async () => {
    const running: SwitchyardProcess[] = [];
    for (const w of f.stack.workers) {
      if (killed.has(w)) continue;
      if (await processMetric(w.port, 'switchyard_actor_handlers_running', { actor: 'payments' }).catch(() => 0) >= 1) running.push(w);
    }
    return running.length === 1 ? running[0] : undefined;
  });
}

/**
 * Sends command `id` and SIGKILLs the worker running it at the moment Stripe
 * (stripe-mock) has answered the request `path` with idempotency key `key`
 * but the worker has not heard back; the answer is then released into the
 * void. Resolves with the command's result (from the next owner) and every
 * Stripe request sent with `key`.
 */
async function killedAfterStripeCall(order: string, id: string, name: string, data: unknown, path: string, key: string): Promise<{ result: { ok: boolean; data: any }; keys: Array<string | undefined> }> {
  const held = f.stripe.holdNext((c) => c.method === 'POST' && c.url === path && c.idempotencyKey === key);
  alice.client.send({ type: 'cmd', id, actor: 'payments', entity: order, name, data });
  await alice.client.next((fr) => fr.type === 'accepted' && fr.id === id);
  await held.arrived;
  const victim = await workerHoldingPayments();
  await victim.kill();
  killed.add(victim);
  held.release();
  const result = await alice.client.next((fr) => fr.type === 'result' && fr.id === id, 90_000) as unknown as { ok: boolean; data: any };
  assert.equal(alice.client.all((fr) => fr.type === 'result' && fr.id === id).length, 1, 'one result');
  await f.stack.startWorker();
  return { result, keys: f.stripe.calls.filter((c) => c.method === 'POST' && c.url === path && c.idempotencyKey === key).map((c) => c.idempotencyKey) };
}

async function succeed(order: string, pi: string, amount: number): Promise<void> {
  await deliverWebhook(f, stripeEventPayload(`evt_${order}_ok`, 'payment_intent.succeeded', paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount, amountReceived: amount })));
  await orderReaches(f, order, 'succeeded', (s) => s.status === 'succeeded');
}

/** Waits for `count` Discord notices about `order`, then checks no more came (a missing one and a repeated one fail differently). */
async function noticesAre(order: string, count: number): Promise<void> {
  await eventually(`${count} notice(s) about ${order}`, () => discordMessagesAbout(f, order).length >= count);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(discordMessagesAbout(f, order).length, count, `notices: ${JSON.stringify(discordMessagesAbout(f, order))}`);
}

t.test('payments reconciliation - an order whose webhook never arrived is fixed by the cron pass, which lists Stripe once per tick across both workers', async () => {
  const order = uniqueOrder('recon');
  // Counted from before the checkout: a tick's list call can arrive before the rewrite is set and be answered after it.
  const from = f.stripe.calls.length;
  const pi = await checkedOut(alice, order, 2700);
  // stripe-mock lists fixtures only: Stripe's answer is the order's PaymentIntent, succeeded (its webhook was lost).
  const stop = f.stripe.rewrite((c) => c.method === 'GET' && c.url.startsWith('/v1/payment_intents?'), (answer) => ({
    ...answer, has_more: false, data: [paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount: 2700, amountReceived: 2700 })],
  }));
  let doc;
  try {
    doc = await orderReaches(f, order, 'reconciled to succeeded', (s) => s.status === 'succeeded');
  } finally {
    stop();
  }
  assert.ok(doc.applied.some((a) => a.key.startsWith('reconcile/')), 'applied by a reconcile command');
  assert.deepEqual((await committedLedger(f, order)).map((e) => [e.kind, e.lines.reduce((s, l) => s + l.debit, 0)]), [['payment', 2700]]);
  await eventually('the pushed success', () => (alice.orderPushes(order).some((v) => v.status === 'succeeded') ? true : undefined));

  const lists = f.stripe.calls.slice(from).filter((c) => c.method === 'GET' && c.url.startsWith('/v1/payment_intents?'));
  const windows = lists.map((c) => new URL(c.url, 'http://stripe').searchParams.get('created[gte]'));
  assert.ok(lists.some((c) => c.rewritten), 'the order was fixed by a list answer that reported it');
  assert.equal(new Set(windows).size, windows.length, `one list call per cron tick, never two for the same tick: ${windows.join(', ')}`);
  const reconciler = await orderDocument(f, RECONCILER_ENTITY) as unknown as { state: { passes: number } } | null;
  assert.ok((reconciler?.state.passes ?? 0) >= 1);

  // The webhook arriving after all changes nothing.
  const version = doc.state.version;
  await deliverWebhook(f, stripeEventPayload(`evt_${order}_late`, 'payment_intent.succeeded', paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount: 2700, amountReceived: 2700 })));
  const late = await orderReaches(f, order, 'the late webhook handled', (_s, d) => d.applied.some((a) => a.key === `evt_${order}_late`));
  assert.equal(late.state.version, version);
  await noticesAre(order, 1);
});

t.test('payments - a worker killed between the Stripe call and the commit: the next owner sends the same idempotency key; one PaymentIntent, one ledger entry set', async () => {
  const order = uniqueOrder('crash-checkout');
  const key = `payments:${order}:alice:crash-co`;
  const { result, keys } = await killedAfterStripeCall(order, 'crash-co', 'checkout', { amount: 6100, currency: 'usd' }, '/v1/payment_intents', key);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(keys, [key, key], 'the killed attempt and the next owner\'s, with the same key: Stripe answers the second with the first PaymentIntent');
  const doc = await orderDocument(f, order);
  assert.equal(doc?.state.paymentIntent, result.data.order.paymentIntent);

  await succeed(order, result.data.order.paymentIntent, 6100);
  assert.deepEqual((await storedLedger(f, order)).map((e) => [e.seq, e.kind]), [[1, 'payment']], 'one ledger entry set, nothing left over');
  assert.deepEqual(await storedLedger(f, order), await committedLedger(f, order));
  await noticesAre(order, 1);
});

t.test('payments - a worker killed between the Stripe refund and the commit: the retry sends the same key and the ledger gets one refund entry', async () => {
  const order = uniqueOrder('crash-refund');
  const pi = await checkedOut(alice, order, 4000);
  await succeed(order, pi, 4000);
  const key = `payments:${order}:alice:crash-rf`;
  const { result, keys } = await killedAfterStripeCall(order, 'crash-rf', 'refund', { amount: 1000 }, '/v1/refunds', key);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.deepEqual(keys, [key, key]);
  assert.deepEqual([result.data.order.status, result.data.order.amountRefunded], ['partially_refunded', 1000]);
  const ledger = await committedLedger(f, order);
  assert.deepEqual(ledger.map((e) => [e.seq, e.kind, e.lines.reduce((s, l) => s + l.debit, 0)]), [[1, 'payment', 4000], [2, 'refund', 1000]]);
  assert.deepEqual(await storedLedger(f, order), ledger, 'nothing left over');
  await noticesAre(order, 2);
});
