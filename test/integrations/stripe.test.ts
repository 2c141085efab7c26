/**
 * integrations/stripe.ts through the real `stripe` SDK.
 *
 * Stand-ins: stripe-mock (Stripe's own mock, pinned in versions.env) for the
 * API — it validates requests against Stripe's OpenAPI spec and answers with
 * fixtures, but is stateless: it does not enforce idempotency keys, remember
 * objects or simulate declines. Responses stripe-mock cannot produce (402
 * card declines, 401, 429, 500) come from a scripted local HTTP server
 * answering in Stripe's error format, still parsed by the SDK.
 */
import t from 'tap';
import assert from 'node:assert/strict';
import { startStripeMock, pinnedVersions, freePort, type ServerProcess } from '../../deploy/local/servers.js';
import {
  StripePaymentGateway, StripeWebhookVerifier, stripeTestSignatureHeader, IntegrationError,
  type StripeApiCall,
} from '../../integrations/index.js';
import { toErrorBody } from '../../protocol/index.js';
import { startRecordingHttpServer, sendJson } from '../../deploy/local/recordingHttpServer.js';
import { captureLogger } from '../harness/capturedLogger.js';
import { integrationError } from '../harness/integrationAssertions.js';

let mock: ServerProcess & { url: string };
let gateway: StripePaymentGateway;

t.before(async () => {
  mock = await startStripeMock();
  gateway = new StripePaymentGateway({ secretKey: 'sk_test_switchyard', apiBase: mock.url, maxNetworkRetries: 0 });
});
t.teardown(async () => { await mock?.stop(); });


t.test('stripe - the stand-in is Stripe\'s own stripe-mock at the pinned version', async () => {
  const res = await fetch(`${mock.url}/v1/payment_intents/pi_probe`, { headers: { authorization: 'Bearer sk_test_switchyard' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('stripe-mock-version'), pinnedVersions().STRIPE_MOCK_VERSION);
});

t.test('stripe - a PaymentIntent is created, retrieved and listed through the SDK', async () => {
  const created = await gateway.createPaymentIntent({ amount: 1234, currency: 'eur', customer: 'cus_alice', metadata: { order: 'o-1' } }, 'order:o-1:cmd:c1');
  assert.match(created.id, /^pi_/);
  assert.equal(created.amount, 1234);
  assert.equal(created.currency, 'eur');
  assert.equal(created.customer, 'cus_alice');
  assert.equal(typeof created.status, 'string');

  const retrieved = await gateway.retrievePaymentIntent('pi_retrieve_me');
  assert.equal(retrieved.id, 'pi_retrieve_me');

  const calls: StripeApiCall[] = [];
  const stop = gateway.observe((c) => calls.push(c));
  const listed = await gateway.listRecentPaymentIntents({ createdAfter: new Date(Date.now() - 3_600_000), limit: 5 });
  stop();
  assert.ok(listed.length >= 1 && listed.length <= 5, `between 1 and 5 PaymentIntents, got ${listed.length}`);
  assert.ok(listed.every((pi) => pi.id.startsWith('pi_')));
  const listCall = calls.find((c) => c.phase === 'request');
  assert.match(listCall!.path, /created\[gte\]=\d+/, 'the lower bound on created is sent');
});

t.test('stripe - listing is bounded: a limit outside 1..1000 is refused without a call', async () => {
  const calls: StripeApiCall[] = [];
  const stop = gateway.observe((c) => calls.push(c));
  await assert.rejects(gateway.listRecentPaymentIntents({ createdAfter: new Date(0), limit: 5000 }), integrationError('stripe', 'VALIDATION', false));
  stop();
  assert.equal(calls.length, 0);
});

t.test('stripe - a refund is created for a PaymentIntent', async () => {
  const refund = await gateway.createRefund({ paymentIntent: 'pi_to_refund', amount: 200 }, 'order:o-1:cmd:c2');
  assert.match(refund.id, /^re_/);
  assert.equal(refund.amount, 200);
});

t.test('stripe - the caller\'s idempotency key is sent on every create (stripe-mock echoes it back but does not enforce it)', async () => {
  const calls: StripeApiCall[] = [];
  const stop = gateway.observe((c) => calls.push(c));
  await gateway.createPaymentIntent({ amount: 500, currency: 'usd', metadata: {} }, 'order:o-2:cmd:c7');
  await gateway.createRefund({ paymentIntent: 'pi_x' }, 'order:o-2:cmd:c8');
  stop();
  const posts = calls.filter((c) => c.method === 'POST');
  assert.deepEqual(posts.map((c) => [c.phase, c.path, c.idempotencyKey]), [
    ['request', '/v1/payment_intents', 'order:o-2:cmd:c7'],
    ['response', '/v1/payment_intents', 'order:o-2:cmd:c7'], // echoed by the server: it arrived
    ['request', '/v1/refunds', 'order:o-2:cmd:c8'],
    ['response', '/v1/refunds', 'order:o-2:cmd:c8'],
  ]);
  await assert.rejects(gateway.createPaymentIntent({ amount: 1, currency: 'usd', metadata: {} }, ''), integrationError('stripe', 'VALIDATION', false),
    'a create without a key is refused');
});

t.test('stripe - a request the SDK retries after a 500 carries the same idempotency key', async () => {
  let n = 0;
  const server = await startRecordingHttpServer((_req, res) => {
    if (n++ === 0) sendJson(res, 500, { error: { type: 'api_error', message: 'boom' } });
    else sendJson(res, 200, { id: 'pi_after_retry', object: 'payment_intent', amount: 700, currency: 'usd', status: 'requires_payment_method', created: 1, livemode: false, metadata: {} });
  });
  try {
    const retrying = new StripePaymentGateway({ secretKey: 'sk_test_switchyard', apiBase: server.url, maxNetworkRetries: 1 });
    const pi = await retrying.createPaymentIntent({ amount: 700, currency: 'usd', metadata: {} }, 'order:o-3:cmd:c1');
    assert.equal(pi.id, 'pi_after_retry');
    assert.deepEqual(server.requests.map((r) => r.headers['idempotency-key']), ['order:o-3:cmd:c1', 'order:o-3:cmd:c1']);
  } finally {
    await server.stop();
  }
});

t.test('stripe - declines are business errors; bad requests, auth, rate limits, 5xx and unreachable hosts map to their codes', async () => {
  // Each request gets the next scripted answer, in Stripe's error format.
  const script: Array<[number, unknown]> = [
    [402, { error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: 'Your card has insufficient funds.' } }],
    [401, { error: { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****' } }],
    [429, { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests' } }],
    [503, { error: { type: 'api_error', message: 'unavailable' } }],
    [404, { error: { type: 'invalid_request_error', code: 'resource_missing', message: 'No such payment_intent: pi_gone' } }],
    [400, { error: { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.' } }],
  ];
  const server = await startRecordingHttpServer((_req, res) => { const [status, body] = script.shift()!; sendJson(res, status, body); });
  try {
    const g = new StripePaymentGateway({ secretKey: 'sk_test_switchyard', apiBase: server.url, maxNetworkRetries: 0 });
    const create = () => g.createPaymentIntent({ amount: 100, currency: 'usd', metadata: {} }, 'k-1');
    await assert.rejects(create(), (err: unknown) => {
      integrationError('stripe', 'PAYMENT_DECLINED', false)(err);
      assert.deepEqual(toErrorBody(err).details?.declineCode, 'insufficient_funds');
      return true;
    });
    await assert.rejects(create(), integrationError('stripe', 'VENDOR_REJECTED', false));
    await assert.rejects(create(), integrationError('stripe', 'UNAVAILABLE', true));
    await assert.rejects(create(), integrationError('stripe', 'UNAVAILABLE', true));
    await assert.rejects(g.retrievePaymentIntent('pi_gone'), integrationError('stripe', 'NOT_FOUND', false));
    await assert.rejects(create(), integrationError('stripe', 'CONFLICT', false));
  } finally {
    await server.stop();
  }
  // A parameter stripe-mock's OpenAPI validation refuses.
  await assert.rejects(gateway.createPaymentIntent({ amount: 1.5, currency: 'usd', metadata: {} }, 'k-2'), integrationError('stripe', 'VALIDATION', false));
  // Nothing listens on this port.
  const closed = new StripePaymentGateway({ secretKey: 'sk_test_switchyard', apiBase: `http://127.0.0.1:${await freePort()}`, maxNetworkRetries: 0 });
  await assert.rejects(closed.retrievePaymentIntent('pi_x'), integrationError('stripe', 'UNAVAILABLE', true));
});

t.test('stripe - debug logs name each call with its idempotency key, never the secret key or client secret', async () => {
  const captured = captureLogger('debug');
  const g = new StripePaymentGateway({ secretKey: 'sk_test_NeverLogged4242', apiBase: mock.url, logger: captured.logger });
  const pi = await g.createPaymentIntent({ amount: 900, currency: 'usd', metadata: {} }, 'order:o-4:cmd:c1');
  captured.logger.info({ pi }, 'a PaymentIntent logged whole by mistake');
  assert.match(captured.text(), /order:o-4:cmd:c1/);
  assert.doesNotMatch(captured.text(), /sk_test_NeverLogged4242/);
  assert.ok(pi.clientSecret && !captured.text().includes(pi.clientSecret), 'the client secret is redacted');
});

// ---- webhooks ----

const WEBHOOK_SECRET = 'whsec_switchyard_test';

async function paymentIntentEventPayload(id: string): Promise<string> {
  // A real-shaped PaymentIntent from stripe-mock's fixtures as the event subject.
  const pi = await (await fetch(`${mock.url}/v1/payment_intents/pi_evt`, { headers: { authorization: 'Bearer sk_test_switchyard' } })).json() as Record<string, unknown>;
  return JSON.stringify({
    id, object: 'event', type: 'payment_intent.succeeded', created: Math.floor(Date.now() / 1000), livemode: false,
    api_version: '2026-10-28.endive', pending_webhooks: 1, request: { id: null, idempotency_key: 'order:o-1:cmd:c1' },
    data: { object: { ...pi, status: 'succeeded', amount_received: pi.amount, metadata: { order: 'o-1' } } },
  });
}

t.test('stripe webhooks - a delivery signed with the SDK\'s test helper verifies into a typed event', async () => {
  const verifier = new StripeWebhookVerifier({ webhookSecret: WEBHOOK_SECRET });
  const payload = await paymentIntentEventPayload('evt_ok');
  const header = stripeTestSignatureHeader({ payload, secret: WEBHOOK_SECRET });
  for (const body of [payload, Buffer.from(payload)]) {
    const event = verifier.verifyWebhook(body, header);
    assert.equal(event.id, 'evt_ok');
    assert.equal(event.type, 'payment_intent.succeeded');
    assert.equal(event.objectType, 'payment_intent');
    assert.equal(event.paymentIntent?.id, 'pi_evt');
    assert.equal(event.paymentIntent?.status, 'succeeded');
    assert.deepEqual(event.paymentIntent?.metadata, { order: 'o-1' });
  }
});

t.test('stripe webhooks - a bad signature, a changed body or a missing header is refused with a code', async () => {
  const verifier = new StripeWebhookVerifier({ webhookSecret: WEBHOOK_SECRET });
  const payload = await paymentIntentEventPayload('evt_bad');
  const reason = (r: string) => (err: unknown) => {
    integrationError('stripe', 'WEBHOOK_SIGNATURE_INVALID', false)(err);
    assert.equal((err as IntegrationError).details?.reason, r);
    return true;
  };
  const signedWithOtherSecret = stripeTestSignatureHeader({ payload, secret: 'whsec_someone_else' });
  assert.throws(() => verifier.verifyWebhook(payload, signedWithOtherSecret), reason('bad_signature'));
  const header = stripeTestSignatureHeader({ payload, secret: WEBHOOK_SECRET });
  assert.throws(() => verifier.verifyWebhook(payload.replace('"succeeded"', '"canceled"'), header), reason('bad_signature'));
  assert.throws(() => verifier.verifyWebhook(payload, 'garbage'), reason('bad_signature'));
  assert.throws(() => verifier.verifyWebhook(payload, undefined), reason('missing_signature'));
  assert.equal(toErrorBody(assertThrown(() => verifier.verifyWebhook(payload, undefined))).code, 'WEBHOOK_SIGNATURE_INVALID');
});

t.test('stripe webhooks - a signature older than the tolerance is refused as stale', async () => {
  const verifier = new StripeWebhookVerifier({ webhookSecret: WEBHOOK_SECRET, toleranceS: 300 });
  const payload = await paymentIntentEventPayload('evt_old');
  const header = stripeTestSignatureHeader({ payload, secret: WEBHOOK_SECRET, timestampS: Math.floor(Date.now() / 1000) - 600 });
  assert.throws(() => verifier.verifyWebhook(payload, header), (err: unknown) => {
    integrationError('stripe', 'WEBHOOK_SIGNATURE_INVALID', false)(err);
    assert.equal((err as IntegrationError).details?.reason, 'stale_timestamp');
    return true;
  });
  assert.equal(verifier.verifyWebhook(payload, header, { toleranceS: 900 }).id, 'evt_old', 'a wider tolerance per call accepts it');
});

t.test('stripe webhooks - a replayed delivery verifies again: dropping duplicates by event id is the consumer\'s job', async () => {
  // Documented contract: JetStream (Nats-Msg-Id = event id) and the actor's applied ids drop the replay.
  const verifier = new StripeWebhookVerifier({ webhookSecret: WEBHOOK_SECRET });
  const payload = await paymentIntentEventPayload('evt_twice');
  const header = stripeTestSignatureHeader({ payload, secret: WEBHOOK_SECRET });
  assert.equal(verifier.verifyWebhook(payload, header).id, 'evt_twice');
  assert.equal(verifier.verifyWebhook(payload, header).id, 'evt_twice');
});

function assertThrown(fn: () => unknown): unknown {
  try { fn(); } catch (err) { return err; }
  assert.fail('expected a throw');
}
