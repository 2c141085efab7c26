/**
 * The payments actor against real servers: stripe-mock behind a recording
 * proxy for Stripe's API, webhooks through the gateway's POST
 * /webhooks/stripe signed with the Stripe SDK's own test helper, a local
 * Discord webhook server, and the payer's WebSocket session. After every
 * test the ledger as a whole balances.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { jetstream } from '@nats-io/jetstream';
import { PAYMENTS_ACTOR, STRIPE_EVENT_COMMAND, STRIPE_WEBHOOK_SENDER, commandMessage, partitionOf, subjects } from '../../protocol/index.js';
import { publishCommand } from '../../platform/index.js';
import { StripeWebhookVerifier, stripeTestSignatureHeader, toStripeEventCommand } from '../../integrations/index.js';
import { LEDGER_COLLECTION } from '../../actors/payments/index.js';
import {
  Payer, assertLedgerBalances, chargeObject, checkedOut, committedLedger, deliverWebhook, discordMessagesAbout, eventually, orderDocument,
  orderReaches, paymentDomainEvents, paymentIntentObject, startPaymentsFixture, storedLedger, stripeEventPayload, uniqueOrder, WEBHOOK_SECRET,
  type PaymentsFixture,
} from './paymentsTestKit.js';

let f: PaymentsFixture;
let alice: Payer;

t.before(async () => {
  f = await startPaymentsFixture({ workers: 1 });
  alice = await Payer.connect(f.stack, 'alice');
});
t.teardown(async () => {
  await alice?.close().catch(() => {});
  await f?.stop();
});
t.afterEach(async () => { await assertLedgerBalances(f); });

t.test('payments - checkout creates the PaymentIntent through Stripe with an idempotency key from order and command, and answers its client secret', async () => {
  const order = uniqueOrder('checkout');
  const from = f.stripe.calls.length;
  const result = await alice.send(order, 'checkout', { amount: 1999, currency: 'eur', description: 'two tickets' }, 'co-1');
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.match(result.data.clientSecret, /_secret_/);
  assert.deepEqual({ ...result.data.order, updatedAt: 0, paymentIntent: '' }, {
    order, status: 'created', amount: 1999, currency: 'eur', description: 'two tickets', paymentIntent: '', amountReceived: 0, amountRefunded: 0,
    refundable: 0, version: 1, updatedAt: 0,
  });
  const creates = f.stripe.calls.slice(from).filter((c) => c.method === 'POST' && c.url === '/v1/payment_intents');
  assert.deepEqual(creates.map((c) => c.idempotencyKey), [`payments:${order}:alice:co-1`]);
  const again = await alice.send(order, 'checkout', { amount: 1999, currency: 'eur' });
  assert.equal(again.error?.code, 'CONFLICT', 'an order is checked out once');
  const doc = await orderDocument(f, order);
  assert.equal(doc?.state.paymentIntent, result.data.order.paymentIntent);
  assert.equal(JSON.stringify(doc?.state).includes(result.data.clientSecret), false, 'the client secret is not part of the order');
});

t.test('error rule - a vendor error marked transient (Stripe 503) is retried by the runtime with no feature-side wrapper, under the same idempotency key', async () => {
  const order = uniqueOrder('stripe503');
  const from = f.stripe.calls.length;
  const isCreate = (c: { method: string; url: string }) => c.method === 'POST' && c.url === '/v1/payment_intents';
  f.stripe.failNext(isCreate, 503);
  const result = await alice.send(order, 'checkout', { amount: 1200, currency: 'eur' }, 'co-503');
  assert.equal(result.ok, true, JSON.stringify(result));
  const creates = f.stripe.calls.slice(from).filter(isCreate);
  assert.deepEqual(creates.map((c) => [c.status, c.idempotencyKey]), [
    [503, `payments:${order}:alice:co-503`],
    [200, `payments:${order}:alice:co-503`],
  ], 'the 503 (SDK retries off) reached the runtime, which retried the command once');
});

t.test('payments - every change is pushed to each of the payer\'s sessions (topic user.<payer>) and entering a status publishes evt.payments.<status>', async () => {
  const second = await Payer.connect(f.stack, 'alice');
  try {
    const order = uniqueOrder('pushes');
    const pi = await checkedOut(alice, order, 1200);
    for (const [i, status] of ['requires_action', 'processing', 'succeeded'].entries()) {
      const payload = stripeEventPayload(`evt_push_${order}_${i}`, `payment_intent.${status}`, paymentIntentObject(f, order, { id: pi, status, amount: 1200, amountReceived: status === 'succeeded' ? 1200 : 0 }));
      assert.equal((await deliverWebhook(f, payload)).status, 200);
    }
    for (const payer of [alice, second]) {
      await eventually('four pushes', () => (payer.orderPushes(order).length >= 4 ? true : undefined));
      assert.deepEqual(payer.orderPushes(order).map((v) => [v.version, v.status]), [[1, 'created'], [2, 'requires_action'], [3, 'processing'], [4, 'succeeded']]);
    }
    assert.equal(second.client.all((fr) => fr.type === 'result').length, 0, 'results go to the sending session only; pushes to every session of the payer');
    const events = await eventually('four domain events', async () => {
      const e = await paymentDomainEvents(f, order);
      return e.length >= 4 ? e : undefined;
    });
    assert.deepEqual(events.map((e) => [e.name, (e.data as any).previous, (e.data as any).user]), [
      ['created', null, 'alice'], ['requires_action', 'created', 'alice'], ['processing', 'requires_action', 'alice'], ['succeeded', 'processing', 'alice'],
    ]);
    assert.equal(new Set(events.map((e) => e.id)).size, 4);
    await eventually('the success notice', () => (discordMessagesAbout(f, order).length === 1 ? true : undefined));
  } finally {
    await second.close();
  }
});

t.test('payments webhooks - a valid event delivered three times and out of order is applied once; the order never moves backwards', async () => {
  const order = uniqueOrder('dup');
  const pi = await checkedOut(alice, order, 4200);
  const event = (status: string, n: number) => stripeEventPayload(`evt_${order}_${n}`, `payment_intent.${status}`,
    paymentIntentObject(f, order, { id: pi, status, amount: 4200, amountReceived: status === 'succeeded' ? 4200 : 0 }));
  const processing = event('processing', 1);
  const requiresAction = event('requires_action', 2);
  const succeeded = event('succeeded', 3);
  const deliveries = [processing, succeeded, requiresAction, succeeded, processing, requiresAction, succeeded, requiresAction, processing];
  const answers = [];
  for (const payload of deliveries) answers.push(await deliverWebhook(f, payload));
  assert.ok(answers.every((a) => a.status === 200), JSON.stringify(answers));
  assert.deepEqual(answers.map((a) => a.body.duplicate), [false, false, false, true, true, true, true, true, true],
    'a redelivered event id is dropped by JetStream (Nats-Msg-Id = event id)');

  const doc = await orderReaches(f, order, 'all three events handled', (_s, d) => [1, 2, 3].every((n) => d.applied.some((a) => a.key === `evt_${order}_${n}`)));
  assert.equal(doc.state.status, 'succeeded');
  assert.equal(doc.state.version, 3, 'checkout, processing, succeeded; the late requires_action changed nothing');
  const ledger = await committedLedger(f, order);
  assert.deepEqual(ledger.map((e) => [e.kind, e.lines]), [['payment', [{ account: 'stripe_balance', debit: 4200, credit: 0 }, { account: 'sales', debit: 0, credit: 4200 }]]]);
  await eventually('the pushes', () => (alice.orderPushes(order).length >= 3 ? true : undefined));
  assert.deepEqual(alice.orderPushes(order).map((v) => v.status), ['created', 'processing', 'succeeded']);
  assert.deepEqual((await paymentDomainEvents(f, order)).map((e) => e.name), ['created', 'processing', 'succeeded']);
  await eventually('the success notice', () => (discordMessagesAbout(f, order).length === 1 ? true : undefined));
});

t.test('payments webhooks - an event replayed after JetStream\'s duplicate window changes nothing (the state only moves forward)', async () => {
  const order = uniqueOrder('replay');
  const pi = await checkedOut(alice, order, 800);
  const payload = stripeEventPayload(`evt_${order}`, 'payment_intent.succeeded', paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount: 800, amountReceived: 800 }));
  assert.equal((await deliverWebhook(f, payload)).body.duplicate, false);
  const first = await orderReaches(f, order, 'succeeded', (s) => s.status === 'succeeded');
  // Past the duplicate window (and past the entity's applied memory) the same event arrives under a new Nats-Msg-Id.
  const command = toStripeEventCommand(new StripeWebhookVerifier({ webhookSecret: WEBHOOK_SECRET }).verifyWebhook(payload, stripeEventHeader(payload)))!;
  const replay = { id: `late-replay-${order}`, actor: PAYMENTS_ACTOR, entity: order, name: STRIPE_EVENT_COMMAND, data: command };
  await publishCommand(jetstream(f.nc), commandMessage(replay, { kind: 'system', sender: STRIPE_WEBHOOK_SENDER, receivedAt: Date.now() }, 8));
  const after = await orderReaches(f, order, 'the replay handled', (_s, d) => d.applied.some((a) => a.key === `late-replay-${order}`));
  assert.equal(after.state.version, first.state.version);
  assert.deepEqual(await storedLedger(f, order), await committedLedger(f, order));
  assert.equal((await committedLedger(f, order)).length, 1);
  await eventually('the success notice', () => (discordMessagesAbout(f, order).length === 1 ? true : undefined));
});

t.test('payments webhooks - a bad signature or a stale timestamp is refused with 400 WEBHOOK_SIGNATURE_INVALID and nothing is published', async () => {
  const order = uniqueOrder('badsig');
  const pi = await checkedOut(alice, order, 999);
  const published: string[] = [];
  const sub = f.nc.subscribe(subjects.command(PAYMENTS_ACTOR, partitionOf(order, 8), order), { callback: (_e, m) => { published.push(m.headers?.get('Nats-Msg-Id') ?? ''); } });
  await f.nc.flush();
  try {
    const forged = stripeEventPayload(`evt_forged_${order}`, 'payment_intent.succeeded', paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount: 999, amountReceived: 999 }));
    const refusals = [
      await deliverWebhook(f, forged, { secret: 'whsec_not_ours' }),
      await deliverWebhook(f, forged, { timestampS: Math.floor(Date.now() / 1000) - 3600 }),
      await deliverWebhook(f, forged, { signature: 't=1,v1=deadbeef' }),
      await deliverWebhook(f, forged.replace('"succeeded"', '"processing"'), { signature: stripeEventHeader(forged) }),
    ];
    assert.deepEqual(refusals.map((r) => [r.status, r.body.error?.code, r.body.error?.details?.reason]), [
      [400, 'WEBHOOK_SIGNATURE_INVALID', 'bad_signature'],
      [400, 'WEBHOOK_SIGNATURE_INVALID', 'stale_timestamp'],
      [400, 'WEBHOOK_SIGNATURE_INVALID', 'bad_signature'],
      [400, 'WEBHOOK_SIGNATURE_INVALID', 'bad_signature'],
    ]);
    // The same event, properly signed, is the first of its id JetStream sees — and the only command published for the order.
    const good = await deliverWebhook(f, forged);
    assert.deepEqual([good.status, good.body.duplicate], [200, false]);
    await eventually('the good delivery published', () => (published.length >= 1 ? true : undefined));
    await f.nc.flush();
    assert.deepEqual(published, [`evt_forged_${order}`]);
    await orderReaches(f, order, 'succeeded', (s) => s.status === 'succeeded');
    await eventually('the success notice', () => (discordMessagesAbout(f, order).length === 1 ? true : undefined));
  } finally {
    sub.unsubscribe();
  }
});

t.test('payments webhooks - events that name no order are answered 200 and dropped; an unsigned request is refused', async () => {
  const payload = stripeEventPayload('evt_customer_1', 'customer.created', { id: 'cus_1', object: 'customer', metadata: {} });
  assert.deepEqual(await deliverWebhook(f, payload), { status: 200, body: { received: true, ignored: true } });
  const res = await fetch(`${f.stack.httpUrl()}/webhooks/stripe`, { method: 'POST', body: payload });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as any).error.details.reason, 'missing_signature');
});

t.test('payments - refunds: a partial one, then the rest; each posts one balanced entry, and the charge.refunded webhooks that follow change nothing', async () => {
  const order = uniqueOrder('refund');
  const pi = await checkedOut(alice, order, 5000);
  await deliverWebhook(f, stripeEventPayload(`evt_${order}_ok`, 'payment_intent.succeeded', paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount: 5000, amountReceived: 5000 })));
  await orderReaches(f, order, 'succeeded', (s) => s.status === 'succeeded');

  const early = await alice.send(order, 'refund', { amount: 6000 });
  assert.equal(early.error?.code, 'CONFLICT', 'no more than was received');
  const partial = await alice.send(order, 'refund', { amount: 1500, reason: 'requested_by_customer' }, 'rf-1');
  assert.equal(partial.ok, true, JSON.stringify(partial));
  assert.deepEqual([partial.data.order.status, partial.data.order.amountRefunded, partial.data.order.refundable, partial.data.refund.status], ['partially_refunded', 1500, 3500, 'succeeded']);
  const rest = await alice.send(order, 'refund', undefined, 'rf-2');
  assert.deepEqual([rest.data.order.status, rest.data.order.amountRefunded, rest.data.refund.amount], ['refunded', 5000, 3500]);
  const refundCalls = f.stripe.calls.filter((c) => c.url === '/v1/refunds' && c.idempotencyKey?.startsWith(`payments:${order}:`));
  assert.deepEqual(refundCalls.map((c) => c.idempotencyKey), [`payments:${order}:alice:rf-1`, `payments:${order}:alice:rf-2`]);

  for (const [i, refunded] of [1500, 5000].entries()) {
    await deliverWebhook(f, stripeEventPayload(`evt_${order}_ch${i}`, 'charge.refunded', chargeObject(f, order, { paymentIntent: pi, amount: 5000, amountRefunded: refunded })));
  }
  const doc = await orderReaches(f, order, 'charge events handled', (_s, d) => d.applied.some((a) => a.key === `evt_${order}_ch1`));
  assert.equal(doc.state.status, 'refunded');
  const ledger = await committedLedger(f, order);
  assert.deepEqual(ledger.map((e) => [e.seq, e.kind, e.lines.reduce((s, l) => s + l.debit, 0)]), [[1, 'payment', 5000], [2, 'refund', 1500], [3, 'refund', 3500]]);
  const after = await alice.send(order, 'refund', { amount: 1 });
  assert.equal(after.error?.code, 'CONFLICT', 'nothing left to refund');
  await eventually('three notices', () => (discordMessagesAbout(f, order).length === 3 ? true : undefined));
  assert.deepEqual(discordMessagesAbout(f, order).map((m) => m.split(':')[0]), ['Payment succeeded', 'Payment partially refunded', 'Payment refunded']);
});

t.test('payments ledger - an entry written by an attempt that never committed is never read, and the next commit of that seq replaces it', async () => {
  const order = uniqueOrder('leftover');
  const pi = await checkedOut(alice, order, 2000);
  await deliverWebhook(f, stripeEventPayload(`evt_${order}_ok`, 'payment_intent.succeeded', paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount: 2000, amountReceived: 2000 })));
  await orderReaches(f, order, 'succeeded', (s) => s.status === 'succeeded');
  // What a worker that died after writing the ledger and before its commit leaves behind: a balanced entry above the committed seq.
  await f.db.collection(LEDGER_COLLECTION).insertOne({
    _id: `${order}:2` as never, id: `${order}:2`, order, seq: 2, kind: 'refund', currency: 'usd', source: 'crashed-attempt', at: Date.now(),
    lines: [{ account: 'sales_refunds', debit: 999, credit: 0 }, { account: 'stripe_balance', debit: 0, credit: 999 }],
  });
  const read = await alice.send(order, 'ledger');
  assert.deepEqual(read.data.entries.map((e: { seq: number; kind: string }) => [e.seq, e.kind]), [[1, 'payment']], 'only committed entries are read');
  const refund = await alice.send(order, 'refund', { amount: 300 });
  assert.equal(refund.ok, true, JSON.stringify(refund));
  const stored = await storedLedger(f, order);
  assert.deepEqual(stored.map((e) => [e.seq, e.kind, e.source === 'crashed-attempt', e.lines[0]!.debit]), [[1, 'payment', false, 2000], [2, 'refund', false, 300]]);
  assert.deepEqual(stored, await committedLedger(f, order));
  await eventually('two notices', () => (discordMessagesAbout(f, order).length === 2 ? true : undefined));
});

t.test('payments - orders are private and system commands come only from their system sender', async () => {
  const order = uniqueOrder('private');
  await checkedOut(alice, order, 700);
  const bob = await Payer.connect(f.stack, 'bob');
  try {
    assert.equal((await bob.send(order, 'get')).error?.code, 'NOT_FOUND');
    assert.equal((await bob.send(order, 'refund', { amount: 1 })).error?.code, 'NOT_FOUND');
    assert.equal((await bob.send(order, 'checkout', { amount: 1, currency: 'usd' })).error?.code, 'CONFLICT');
    const forged = await bob.send(order, STRIPE_EVENT_COMMAND, { id: 'evt_x', type: 'payment_intent.succeeded', created: 1, livemode: false, objectType: 'payment_intent' });
    assert.equal(forged.error?.code, 'FORBIDDEN', 'a client cannot send webhook events');
    bob.client.send({ type: 'sub', topic: 'user.alice' });
    const refused = await bob.client.next((f2) => f2.type === 'error' && f2.topic === 'user.alice');
    assert.equal((refused.error as { code: string }).code, 'FORBIDDEN', 'nobody else can join the payer\'s topic');
  } finally {
    await bob.close();
  }
  const own = await alice.send(order, 'get');
  assert.equal(own.data.status, 'created');
  assert.deepEqual((await alice.send(order, 'ledger')).data, { order, entries: [] });
});

t.test('payments Discord - a 429 with retry_after is waited out and the notice arrives once', async () => {
  const order = uniqueOrder('ratelimit');
  const pi = await checkedOut(alice, order, 3100);
  const from = f.discord.requests.length;
  f.discord.script({ kind: 'rateLimited', retryAfterS: 1 });
  await deliverWebhook(f, stripeEventPayload(`evt_${order}`, 'payment_intent.succeeded', paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount: 3100, amountReceived: 3100 })));
  const notified = await orderReaches(f, order, 'the notice command applied', (_s, d) => d.applied.some((a) => a.key.startsWith(`timer:payments/${order}/notify:`)));
  const applied = notified.applied.filter((a) => a.key.startsWith(`timer:payments/${order}/notify:`));
  assert.equal(applied.length, 1);
  const requests = f.discord.requests.slice(from);
  assert.deepEqual(requests.map((r) => r.answered), [429, 200], 'rate limited once, then sent again after retry_after');
  assert.ok(requests[1]!.at - requests[0]!.at >= 900, 'the second request waited for retry_after');
  assert.deepEqual(discordMessagesAbout(f, order), [`Payment succeeded: order ${order}, 31.00 USD`]);
});

t.test('payments Discord - an outage never holds up the payment: the order commits and is pushed while Discord hangs; the notice is retried and arrives once', async () => {
  const order = uniqueOrder('outage');
  const pi = await checkedOut(alice, order, 1800);
  const from = f.discord.requests.length;
  f.discord.script({ kind: 'hang' }, { kind: 'serverError' }, { kind: 'serverError' });
  await deliverWebhook(f, stripeEventPayload(`evt_${order}`, 'payment_intent.succeeded', paymentIntentObject(f, order, { id: pi, status: 'succeeded', amount: 1800, amountReceived: 1800 })));
  await f.discord.server.waitFor((r) => r.length > from, 30_000);
  // Discord holds the first notice request now; the payment is already committed and pushed.
  await orderReaches(f, order, 'succeeded', (s) => s.status === 'succeeded');
  await eventually('the success push', () => (alice.orderPushes(order).some((v) => v.status === 'succeeded') ? true : undefined));
  assert.deepEqual(discordMessagesAbout(f, order), []);
  await eventually('the notice after the outage', () => (discordMessagesAbout(f, order).length === 1 ? true : undefined), 60_000);
  const answered = f.discord.requests.slice(from).map((r) => r.answered);
  assert.deepEqual(answered, [undefined, 500, 500, 200], 'timed out, two 500s (one attempt re-sends once), then delivered by the runtime\'s retry');
});

function stripeEventHeader(payload: string): string {
  return stripeTestSignatureHeader({ payload, secret: WEBHOOK_SECRET });
}
