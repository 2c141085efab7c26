/**
 * The order state machine and the ledger rules, as pure functions: Stripe
 * delivers events at least once and in any order, so every arrival order of
 * the same events, with repeats, must end in the same order and post the
 * same ledger entries once.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import type { ChargeSnapshot, PaymentIntentSnapshot, RefundSnapshot } from '../../protocol/index.js';
import { applyCharge, applyPaymentIntent, applyRefund, checkout, orderView, refundable, stripeIdempotencyKey, type OrderChange } from '../../actors/payments/orderService.js';
import { enteredStatuses } from '../../actors/payments/orderDecision.js';
import { isBalanced } from '../../actors/payments/ledgerService.js';
import { initialPaymentsState, type OrderState } from '../../actors/payments/paymentsState.js';

const ORDER = 'o-sm';
const PI = 'pi_sm';

function pi(status: PaymentIntentSnapshot['status'], amountReceived = 0): PaymentIntentSnapshot {
  return { id: PI, status, amount: 1000, amountReceived, currency: 'usd', metadata: { order: ORDER }, created: 1, lastPaymentError: null };
}

function checkedOut(): OrderState {
  const change = checkout(ORDER, initialPaymentsState(ORDER) as OrderState, { owner: 'alice', amount: 1000, currency: 'usd', paymentIntent: pi('requires_payment_method') }, 'k0', 1);
  return change.state;
}

type Input = { name: string; apply: (s: OrderState, at: number) => OrderChange };

const charge = (amountRefunded: number): ChargeSnapshot => ({ id: 'ch_1', paymentIntent: PI, amount: 1000, amountRefunded, refunded: amountRefunded === 1000, currency: 'usd', status: 'succeeded', metadata: {} });
const refund = (id: string, amount: number, status: string): RefundSnapshot => ({ id, paymentIntent: PI, amount, currency: 'usd', status, created: 1, metadata: {} });

const INPUTS: Input[] = [
  { name: 'requires_action', apply: (s, at) => applyPaymentIntent(ORDER, s, pi('requires_action'), 'payment_intent.requires_action', 'e1', at) },
  { name: 'processing', apply: (s, at) => applyPaymentIntent(ORDER, s, pi('processing'), 'payment_intent.processing', 'e2', at) },
  { name: 'succeeded', apply: (s, at) => applyPaymentIntent(ORDER, s, pi('succeeded', 1000), 'payment_intent.succeeded', 'e3', at) },
  { name: 'refund pending', apply: (s, at) => applyRefund(ORDER, s, refund('re_1', 300, 'pending'), 'e4', at) },
  { name: 'refund succeeded', apply: (s, at) => applyRefund(ORDER, s, refund('re_1', 300, 'succeeded'), 'e5', at) },
  { name: 'charge refunded 300', apply: (s, at) => applyCharge(ORDER, s, charge(300), 'e6', at) },
];

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) { yield [...items]; return; }
  for (let i = 0; i < items.length; i++) {
    for (const rest of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i]!, ...rest];
  }
}

function run(sequence: readonly Input[]): { state: OrderState; entries: OrderChange['entries']; statuses: string[] } {
  let state = checkedOut();
  const entries: OrderChange['entries'] = [];
  const statuses: string[] = [];
  sequence.forEach((input, i) => {
    const change = input.apply(state, 100 + i);
    entries.push(...change.entries);
    statuses.push(...enteredStatuses(change));
    state = change.state;
  });
  return { state, entries, statuses };
}

t.test('payments state machine - every arrival order of the same events, each delivered twice, ends in the same order with one payment and one refund entry', async () => {
  let runs = 0;
  for (const order of permutations(INPUTS)) {
    const { state, entries, statuses } = run([...order, ...order.slice().reverse()]);
    runs++;
    assert.equal(state.status, 'partially_refunded', order.map((i) => i.name).join(' → '));
    assert.equal(state.amountReceived, 1000);
    assert.equal(orderView(ORDER, state).amountRefunded, 300);
    const debits = (e: OrderChange['entries'][number]) => e.lines.reduce((sum, l) => sum + l.debit, 0);
    assert.deepEqual(entries.map((e) => [e.seq, e.kind, debits(e)]), [[1, 'payment', 1000], [2, 'refund', 300]], 'one payment and one refund entry, consecutive seqs');
    assert.ok(entries.every(isBalanced));
    assert.equal(statuses.filter((s) => s === 'succeeded').length, 1, `succeeded entered once: ${statuses.join(', ')}`);
    assert.equal(statuses.at(-1), 'partially_refunded');
  }
  assert.equal(runs, 720);
});

t.test('payments state machine - the order never moves backwards: processing after succeeded changes nothing', async () => {
  const { state } = run([INPUTS[2]!, INPUTS[1]!, INPUTS[0]!]);
  assert.equal(state.status, 'succeeded');
  const again = applyPaymentIntent(ORDER, state, pi('processing'), 'payment_intent.processing', 'late', 200);
  assert.equal(again.changed, false);
  assert.equal(again.state, state);
});

t.test('payments state machine - a failed payment can still succeed (Stripe lets the payer try again), a success never fails', async () => {
  let state = checkedOut();
  state = applyPaymentIntent(ORDER, state, pi('requires_payment_method'), 'payment_intent.payment_failed', 'f1', 2).state;
  assert.equal(state.status, 'failed');
  state = applyPaymentIntent(ORDER, state, pi('succeeded', 1000), 'payment_intent.succeeded', 's1', 3).state;
  assert.equal(state.status, 'succeeded');
  const late = applyPaymentIntent(ORDER, state, pi('requires_payment_method'), 'payment_intent.payment_failed', 'f2', 4);
  assert.equal(late.changed, false);
});

t.test('payments state machine - a refund reported before the success enters succeeded, then refunded, in one change', async () => {
  let state = checkedOut();
  state = applyCharge(ORDER, state, charge(1000), 'c1', 2).state;
  assert.equal(state.status, 'created', 'nothing received yet, nothing refunded yet');
  const change = applyPaymentIntent(ORDER, state, pi('succeeded', 1000), 'payment_intent.succeeded', 's1', 3);
  assert.deepEqual(enteredStatuses(change), ['succeeded', 'refunded']);
  assert.deepEqual(change.entries.map((e) => e.kind), ['payment', 'refund']);
  assert.equal(refundable(change.state), 0);
});

t.test('payments state machine - events of another PaymentIntent or currency are ignored, not applied', async () => {
  const state = checkedOut();
  assert.equal(applyPaymentIntent(ORDER, state, { ...pi('succeeded', 1000), id: 'pi_other' }, 'payment_intent.succeeded', 'x', 2).ignored, 'other_payment_intent');
  assert.equal(applyPaymentIntent(ORDER, state, { ...pi('succeeded', 1000), currency: 'eur' }, 'payment_intent.succeeded', 'x', 2).ignored, 'currency_mismatch');
  assert.equal(applyPaymentIntent(ORDER, initialPaymentsState('o-new') as OrderState, pi('succeeded', 1000), 'payment_intent.succeeded', 'x', 2).ignored, 'no_order');
});

t.test('payments - Stripe idempotency keys: entity + command key, stable, at most 255 characters', async () => {
  assert.equal(stripeIdempotencyKey('payments', 'o-1', 'alice:c1'), 'payments:o-1:alice:c1');
  const long = stripeIdempotencyKey('payments', 'o'.repeat(128), `${'u'.repeat(128)}:${'c'.repeat(64)}`);
  assert.ok(long.length <= 255);
  assert.equal(long, stripeIdempotencyKey('payments', 'o'.repeat(128), `${'u'.repeat(128)}:${'c'.repeat(64)}`));
});
